//! Synthetic free text for the `input` / `output` fields.
//!
//! Text is assembled from small static vocabularies so generating ~1 KB costs a
//! few hundred random draws and memcpys, and no allocation beyond the reusable
//! destination `String`. The vocabularies deliberately mix ASCII with accented
//! Latin, CJK, Hangul and emoji (including multi-code-point emoji), and the
//! generator sprinkles in the characters that break naive JSONL/CSV handling:
//! double quotes, commas, embedded newlines (`\n` and `\r\n`), tabs,
//! backslashes, the occasional C0 control character and U+2028/U+2029 (valid raw
//! inside JSON strings, but a line break for JavaScript-ish line splitters).

use rand::RngCore;
use rand_chacha::ChaCha8Rng;

use crate::digits::decimal;

/// Plain English words (the bulk of the text).
const EN: &[&str] = &[
    "the",
    "model",
    "answer",
    "question",
    "context",
    "document",
    "retrieval",
    "latency",
    "token",
    "prompt",
    "response",
    "user",
    "system",
    "assistant",
    "summary",
    "tool",
    "call",
    "result",
    "query",
    "vector",
    "index",
    "search",
    "ranking",
    "score",
    "evaluation",
    "pipeline",
    "agent",
    "step",
    "trace",
    "span",
    "session",
    "please",
    "explain",
    "compare",
    "list",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "with",
    "for",
    "on",
    "is",
    "was",
    "that",
    "this",
    "data",
    "report",
    "customer",
    "order",
    "refund",
    "policy",
    "weather",
    "forecast",
    "translate",
    "into",
    "French",
    "Japanese",
    "table",
    "chart",
    "revenue",
    "quarter",
];

/// Accented Latin words (2-byte UTF-8 sequences).
const ACCENTED: &[&str] = &[
    "café",
    "naïve",
    "résumé",
    "façade",
    "Zürich",
    "señor",
    "crème brûlée",
    "São Paulo",
    "Ångström",
    "smørrebrød",
    "déjà vu",
    "jalapeño",
    "Čeština",
    "Łódź",
    "Ørsted",
    "über",
];

/// CJK and Hangul words (3-byte UTF-8 sequences).
const CJK: &[&str] = &[
    "東京",
    "日本語",
    "你好",
    "世界",
    "データ",
    "検索",
    "모델",
    "검색",
    "翻訳",
    "天気予報",
    "请解释",
    "의미",
    "機械学習",
    "質問",
    "回答",
    "要約",
];

/// Emoji, including 4-byte sequences, ZWJ sequences, skin tones and flags.
const EMOJI: &[&str] = &[
    "😀",
    "🚀",
    "🔥",
    "👍🏽",
    "🇫🇷",
    "🧪",
    "👩‍💻",
    "✅",
    "❤️",
    "🤖",
    "📈",
    "🎉",
];

/// Punctuation tokens that stress quoting (commas, quotes, semicolons, dashes).
const PUNCT: &[&str] = &[
    ",",
    ";",
    " —",
    "…",
    "«quoted»",
    "\"double quoted\"",
    "'single'",
    "“curly”",
    "(aside)",
    "a,b,c",
    "x = \"y\"",
    "50%",
    "$12.50",
    "C:\\path\\file.txt",
    "<tag>",
    "&amp;",
];

/// Rare "hostile" tokens: line breaks of all kinds, tabs, control characters.
const HOSTILE: &[&str] = &[
    "\n", "\r\n", "\t", "\u{2028}", "\u{2029}", "\n\n", "\u{0007}", "\"\n\"", ",\n,", "\\n",
    "\u{feff}",
];

const FIRST: &[&str] = &[
    "alice", "bob", "chloé", "dmitri", "emi", "farah", "gustavo", "hana",
];
const LAST: &[&str] = &[
    "martin", "nguyen", "okafor", "rossi", "sato", "schmidt", "silva",
];

/// Replacement written for personally identifiable information when the
/// request asks for `redact: true`.
pub const REDACTED: &str = "[REDACTED]";

#[inline]
fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    let r = rng.next_u32();
    list[((r as u64 * list.len() as u64) >> 32) as usize]
}

#[inline]
fn below(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    ((rng.next_u32() as u64 * n as u64) >> 32) as u32
}

/// Appends roughly `target` bytes of text to `out` (always ends on a whole
/// word, so it can overshoot by one word).
///
/// When `pii` is true a fake e-mail address and phone number are embedded; they
/// are replaced by [`REDACTED`] when `redact` is true. The random stream is
/// consumed identically either way, so redaction never shifts the rest of the
/// text.
pub fn fill(
    rng: &mut ChaCha8Rng,
    out: &mut String,
    target: usize,
    pii: bool,
    redact: bool,
    hostile: bool,
) {
    let start = out.len();
    let mut words_in_sentence = 0u32;
    let mut pii_at = if pii { below(rng, 8) } else { u32::MAX };
    let mut hostile_at = if hostile {
        2 + below(rng, 24)
    } else {
        u32::MAX
    };
    let mut n = 0u32;
    while out.len() - start < target {
        if n == pii_at {
            pii_at = u32::MAX;
            let first = pick(rng, FIRST);
            let last = pick(rng, LAST);
            let phone = 1000 + below(rng, 9000);
            if out.len() > start {
                out.push(' ');
            }
            out.push_str("contact ");
            if redact {
                out.push_str(REDACTED);
                out.push_str(" or ");
                out.push_str(REDACTED);
            } else {
                out.push_str(first);
                out.push('.');
                out.push_str(last);
                out.push_str("@example.com or +1-415-555-");
                push_u32(out, phone);
            }
            out.push(' ');
        }
        if n == hostile_at {
            hostile_at = n + 4 + below(rng, 40);
            out.push_str(pick(rng, HOSTILE));
        }
        let r = rng.next_u32();
        let class = r & 0xff;
        let idx = (r >> 8) as u64;
        let word = if class < 180 {
            EN[(idx % EN.len() as u64) as usize]
        } else if class < 210 {
            ACCENTED[(idx % ACCENTED.len() as u64) as usize]
        } else if class < 234 {
            CJK[(idx % CJK.len() as u64) as usize]
        } else if class < 244 {
            EMOJI[(idx % EMOJI.len() as u64) as usize]
        } else {
            PUNCT[(idx % PUNCT.len() as u64) as usize]
        };
        if words_in_sentence == 0 && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        out.push_str(word);
        words_in_sentence += 1;
        if words_in_sentence >= 9 + (r >> 29) {
            out.push_str(". ");
            words_in_sentence = 0;
        } else {
            out.push(' ');
        }
        n += 1;
    }
    // Never end on whitespace: trailing spaces are legal but make eyeballing
    // CSV output harder.
    while out.len() > start && out.ends_with(' ') {
        out.pop();
    }
}

fn push_u32(out: &mut String, v: u32) {
    let mut buf = [0u8; 20];
    for &b in decimal(u64::from(v), &mut buf) {
        out.push(b as char);
    }
}
