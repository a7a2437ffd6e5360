//! `compression`: `save()` of the same export over a rate-limited link, compressed and
//! not.

use super::*;

pub(crate) fn compression(opts: &Opts) {
    let records: u64 = opts.get("--records", 40_000);
    let runs: usize = opts.get("--runs", 3);
    let rate: u64 = opts.get("--rate", 20_000_000);
    let (tmin, tmax) = opts.text_len();
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
}
