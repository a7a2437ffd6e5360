//! Text that crosses a trust boundary: what a server sent (capped and escaped before it
//! reaches a terminal) and URLs (their passwords redacted before they are shown).

use std::fmt::Write as _;

/// Longest server message kept in an error, in characters.
pub(crate) const MESSAGE_CHARS: usize = 300;

/// Whether a character could change what a terminal shows beyond itself: C0 and C1
/// controls (ESC, BEL, CR, backspace, …), DEL, and the Unicode bidirectional overrides and
/// isolates, which reorder the text around them.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Server text made safe for a terminal: every control character escaped (`\u{1b}`,
/// `\r`, `\n`, …), cut to `max_chars` characters with `…` where cut.
pub(crate) fn sanitize(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4) + 8);
    for (count, c) in text.chars().enumerate() {
        if count == max_chars {
            out.push('…');
            break;
        }
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    if !is_unsafe(c) {
        out.push(c);
        return;
    }
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        other => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(other));
        }
    }
}

/// A URL as it may be shown: its userinfo (user name and password, which may be a
/// token) is replaced by `***`. Text that does not parse as a URL is shown with anything
/// between `://` and an `@` redacted.
///
/// ```
/// use galileo_export::redact_url;
///
/// assert_eq!(redact_url("https://ann:hunter2@api.example.com/v2"), "https://***@api.example.com/v2");
/// assert_eq!(redact_url("https://api.example.com"), "https://api.example.com");
/// assert_eq!(redact_url("not a url://ann:pw@host"), "not a url://***@host");
/// ```
pub fn redact_url(url: &str) -> String {
    if let Ok(mut parsed) = reqwest::Url::parse(url) {
        if parsed.password().is_some() || !parsed.username().is_empty() {
            let _ = parsed.set_password(None);
            let _ = parsed.set_username("***");
            // `Url` adds a trailing `/` to a bare host: keep the text as given otherwise.
            let shown = parsed.to_string();
            if !url.ends_with('/') && parsed.path() == "/" && shown.ends_with('/') {
                return shown[..shown.len() - 1].to_string();
            }
            return shown;
        }
        return url.to_string();
    }
    // Not a URL: redact any userinfo-like part of an authority.
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}://***{}", &url[..scheme_end], &rest[at..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            sanitize("a\u{1b}[2Jb\u{7}\r\nc\u{9b}d", 100),
            "a\\u{1b}[2Jb\\u{7}\\r\\nc\\u{9b}d"
        );
        assert_eq!(sanitize("left\u{202E}right", 100), "left\\u{202e}right");
        assert_eq!(sanitize("café 日本", 100), "café 日本");
    }

    #[test]
    fn long_text_is_capped() {
        let s = sanitize(&"x".repeat(1000), 10);
        assert_eq!(s, format!("{}…", "x".repeat(10)));
        assert_eq!(sanitize("0123456789", 10), "0123456789");
    }

    #[test]
    fn url_passwords_are_redacted() {
        assert_eq!(
            redact_url("http://u:p@127.0.0.1:8080"),
            "http://***@127.0.0.1:8080"
        );
        assert_eq!(redact_url("http://u:p@h/"), "http://***@h/");
        assert_eq!(redact_url("http://token@h/x"), "http://***@h/x");
        assert_eq!(redact_url("https://h/x?y=1"), "https://h/x?y=1");
        assert_eq!(redact_url("ht tp://a:b@c/d"), "ht tp://***@c/d");
    }
}
