//! `compression`: `save()` of the same export over a rate-limited link, compressed and
//! not; then the client alone, on a body compressed once and served from memory.

use super::*;

pub(crate) fn compression(opts: &Opts) {
    let records: u64 = opts.get("--records", 40_000);
    let runs: usize = opts.get("--runs", 3);
    let rate: u64 = opts.get("--rate", 20_000_000);
    let (tmin, tmax) = opts.text_len();
    if opts.flag("--precompressed-only") {
        return precompressed(records, runs, rate, (tmin, tmax));
    }
    let rt = runtime("multi");
    println!(
        "compressed transfer: save() of {records} traces (text {tmin}..{tmax} B), median of {runs} runs"
    );
    println!(
        "{:<22} {:<9} {:>9} {:>11} {:>11} {:>7} {:>10}",
        "link", "coding", "time s", "decoded MB", "wire MB", "ratio", "vs plain"
    );
    for link in [Some(rate), None] {
        let link_name = match link {
            Some(r) => format!("{:.0} MB/s (server-paced)", r as f64 / 1e6),
            None => "loopback, no limit".to_string(),
        };
        let mut plain = None;
        for coding in [
            None,
            Some(ContentCoding::Zstd),
            Some(ContentCoding::Gzip),
            Some(ContentCoding::Brotli),
        ] {
            let (secs, decoded, wire) = rt.block_on(async {
                let mut builder = MockServer::builder()
                    .root_counts(0, records, 0)
                    .seed(7)
                    .text_len(tmin, tmax)
                    .prerender(true)
                    .content_codings(coding);
                if let Some(r) = link {
                    builder = builder.rate_limit(r);
                }
                let server = builder.start().await.expect("mock server");
                let t = Target::of(&server);
                let client = Client::builder()
                    .base_url(&t.base_url)
                    .api_key(t.api_key.clone())
                    .compression(coding.is_some())
                    .build()
                    .expect("client");
                let path = scratch_path("compression");
                let mut times = Vec::new();
                let mut last = None;
                // One warm-up run fills the server's pre-render cache.
                for i in 0..=runs {
                    let start = Instant::now();
                    let summary = client
                        .export(t.project_id)
                        .log_stream(t.log_stream_id)
                        .save(&path)
                        .await
                        .expect("save()");
                    if i > 0 {
                        times.push(start.elapsed().as_secs_f64());
                    }
                    assert_eq!(summary.records, Some(records));
                    assert_eq!(summary.content_encoding, coding.map(ContentCoding::token));
                    last = Some(summary);
                }
                let _ = std::fs::remove_file(&path);
                let summary = last.expect("runs");
                (median(&times), summary.bytes, summary.wire_bytes)
            });
            let base = *plain.get_or_insert(secs);
            println!(
                "{:<22} {:<9} {:>9.2} {:>11.1} {:>11.1} {:>6.1}x {:>9.2}x",
                link_name,
                coding.map_or("identity", ContentCoding::token),
                secs,
                decoded as f64 / 1e6,
                wire as f64 / 1e6,
                decoded as f64 / wire as f64,
                base / secs
            );
        }
    }
    precompressed(records, runs, rate, (tmin, tmax));
}

/// The client's side alone: the export compressed once with zstd (level 3, the zstd
/// tool's default) and served from memory, paced at `rate` on the wire and unpaced;
/// `save()` with each record check. What the link and the ratio allow is `rate × ratio`
/// decoded bytes a second.
fn precompressed(records: u64, runs: usize, rate: u64, text_len: (usize, usize)) {
    let rt = runtime("multi");
    rt.block_on(async move {
        let server = prerendered(records, 7, text_len)
            .start()
            .await
            .expect("mock server");
        let t = Target::of(&server);
        let plain = whole_body(&t, &t.client()).await;
        let level = 3;
        let packed = zstd::encode_all(&plain[..], level).expect("zstd");
        let ratio = plain.len() as f64 / packed.len() as f64;
        println!();
        println!(
            "pre-compressed: {:.1} MB of JSON Lines as {:.1} MB of zstd (level {level}, \
             ratio {ratio:.2}), served from memory; save(), median of {runs} runs",
            mb(plain.len() as u64),
            mb(packed.len() as u64)
        );
        println!(
            "{:<22} {:<7} {:>8} {:>14} {:>16} {:>9}",
            "link", "check", "time s", "decoded MB/s", "allowed MB/s", "of it"
        );
        let packed = Bytes::from(packed);
        for link in [Some(rate), None] {
            let base_url = serve_fixed(packed.clone(), Some("zstd"), link);
            let client = Client::builder()
                .base_url(&base_url)
                .api_key(t.api_key.clone())
                .build()
                .expect("client");
            for check in [RecordCheck::Full, RecordCheck::Shape] {
                let path = scratch_path("precompressed");
                let mut times = Vec::new();
                for i in 0..=runs {
                    let start = Instant::now();
                    let summary = client
                        .export(t.project_id)
                        .log_stream(t.log_stream_id)
                        .record_check(check)
                        .save(&path)
                        .await
                        .expect("save()");
                    assert_eq!(summary.records, Some(records));
                    assert_eq!(summary.bytes, plain.len() as u64);
                    assert_eq!(summary.content_encoding, Some("zstd"));
                    if i > 0 {
                        times.push(start.elapsed().as_secs_f64());
                    }
                }
                let _ = std::fs::remove_file(&path);
                let secs = median(&times);
                let decoded = mb(plain.len() as u64) / secs;
                let (link_name, allowed) = match link {
                    Some(r) => (
                        format!("{:.0} MB/s (paced)", r as f64 / 1e6),
                        format!("{:.0}", r as f64 / 1e6 * ratio),
                    ),
                    None => ("loopback, no limit".to_string(), "–".to_string()),
                };
                let share = match link {
                    Some(r) => format!("{:.0}%", 100.0 * decoded / (r as f64 / 1e6 * ratio)),
                    None => "–".to_string(),
                };
                println!(
                    "{link_name:<22} {:<7} {secs:>8.3} {decoded:>14.0} {allowed:>16} {share:>9}",
                    format!("{check:?}")
                );
            }
        }
    });
}
