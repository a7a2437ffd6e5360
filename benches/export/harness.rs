//! The shared harness: options, units and medians, peak RSS, scratch files, runtimes,
//! the export target (an in-process or spawned local server) and the machine line.

use super::*;

pub(crate) fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

pub(crate) fn mb_s(bytes: u64, elapsed: Duration) -> f64 {
    mb(bytes) / elapsed.as_secs_f64()
}

pub(crate) fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// `VmHWM` (peak RSS) and `VmRSS` of this process, in KiB.
pub(crate) fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

pub(crate) fn scratch_dir() -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let _ = std::fs::create_dir_all(&base);
    base
}

pub(crate) fn scratch_path(what: &str) -> PathBuf {
    scratch_dir().join(format!("bench-export-{what}-{}.jsonl", std::process::id()))
}

/// Minimal option parser: `--name value`, `--name=value`, flags, positionals.
pub(crate) struct Opts {
    pub(crate) positional: Vec<String>,
    pub(crate) named: HashMap<String, String>,
    pub(crate) flags: Vec<String>,
}

impl Opts {
    pub(crate) fn parse() -> Opts {
        const FLAGS: &[&str] = &[
            "--no-csv",
            "--no-curl",
            "--bench",
            "--prerender",
            "--compressed",
            "--precompressed-only",
        ];
        let mut o = Opts {
            positional: Vec::new(),
            named: HashMap::new(),
            flags: Vec::new(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            if let Some((k, v)) = a.split_once('=').filter(|(k, _)| k.starts_with("--")) {
                o.named.insert(k.to_string(), v.to_string());
            } else if FLAGS.contains(&a.as_str()) {
                o.flags.push(a);
            } else if a.starts_with("--") {
                let v = it.next().unwrap_or_else(|| panic!("{a} needs a value"));
                o.named.insert(a, v);
            } else {
                o.positional.push(a);
            }
        }
        o
    }

    pub(crate) fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        match self.named.get(name) {
            Some(v) => v
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}: cannot parse `{v}`")),
            None => default,
        }
    }

    pub(crate) fn str(&self, name: &str) -> Option<&str> {
        self.named.get(name).map(String::as_str)
    }

    pub(crate) fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    pub(crate) fn text_len(&self) -> (usize, usize) {
        match self.str("--text-len") {
            Some(v) => {
                let (a, b) = v.split_once([':', ',']).expect("--text-len MIN:MAX");
                (a.parse().expect("MIN"), b.parse().expect("MAX"))
            }
            None => DEFAULT_TEXT_LEN,
        }
    }
}

pub(crate) fn runtime(kind: &str) -> tokio::runtime::Runtime {
    match kind {
        "current" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        "multi" | "multi-spawn" => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
        other => panic!("--rt: `{other}` (expected multi, multi-spawn or current)"),
    }
    .expect("tokio runtime")
}

/// Where the export comes from.
#[derive(Clone)]
pub(crate) struct Target {
    pub(crate) base_url: String,
    pub(crate) project_id: Uuid,
    pub(crate) log_stream_id: Uuid,
    pub(crate) api_key: String,
    pub(crate) api_key_header: String,
}

impl Target {
    /// The export of an in-process local server.
    pub(crate) fn of(server: &MockServer) -> Target {
        Target {
            base_url: server.base_url().to_string(),
            project_id: server.project_id(),
            log_stream_id: server.log_stream_id(),
            api_key: server.api_key().to_string(),
            api_key_header: server
                .api_key_header()
                .unwrap_or("Galileo-API-Key")
                .to_string(),
        }
    }

    /// A client for this target that asks for uncompressed bodies, like the plain
    /// reqwest and curl paths it is compared with (compressed transfer is measured on
    /// its own: `export compression`).
    pub(crate) fn client(&self) -> Client {
        Client::builder()
            .base_url(&self.base_url)
            .api_key(self.api_key.clone())
            .compression(false)
            .build()
            .expect("client")
    }

    pub(crate) fn export_url(&self) -> String {
        format!(
            "{}/v2/projects/{}/export_records",
            self.base_url, self.project_id
        )
    }

    pub(crate) fn body(&self, format: &str) -> String {
        serde_json::json!({
            "root_type": "trace",
            "log_stream_id": self.log_stream_id.to_string(),
            "export_format": format,
        })
        .to_string()
    }
}

/// What one measured export delivered.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run {
    pub(crate) bytes: u64,
    pub(crate) records: u64,
    pub(crate) elapsed: Duration,
    pub(crate) chunks: u64,
}

pub(crate) fn machine_line() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cores} cores available")
}

/// A mock server in another process; killed (not waited for) on drop.
pub(crate) struct ServerProcess {
    pub(crate) child: Child,
    pub(crate) target: Target,
}

impl ServerProcess {
    pub(crate) fn spawn(
        bin: &Path,
        records: u64,
        seed: u64,
        text_len: (usize, usize),
    ) -> ServerProcess {
        let mut command = Command::new(bin);
        command
            .args(["--records", &records.to_string()])
            .args(["--seed", &seed.to_string()])
            .args(["--port", "0"])
            .args(["--text-len", &format!("{}:{}", text_len.0, text_len.1)]);
        Self::spawn_command(command, bin)
    }

    /// A server that prints `BASE_URL=…` … `READY=1` like `mock_server` does.
    pub(crate) fn spawn_command(mut command: Command, bin: &Path) -> ServerProcess {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} ({e}); build it first: \
                     cargo build --release -p galileo-export-mock --example mock_server",
                    bin.display()
                )
            });
        let stdout = child.stdout.take().expect("stdout");
        let mut vars = HashMap::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("server stdout");
            if let Some((k, v)) = line.split_once('=') {
                vars.insert(k.to_string(), v.to_string());
            }
            if line == "READY=1" {
                break;
            }
        }
        let get = |k: &str| {
            vars.get(k)
                .cloned()
                .unwrap_or_else(|| panic!("mock_server did not print {k}"))
        };
        let target = Target {
            base_url: get("BASE_URL"),
            project_id: get("PROJECT_ID").parse().expect("project id"),
            log_stream_id: get("LOG_STREAM_ID").parse().expect("log stream id"),
            api_key: get("API_KEY"),
            api_key_header: vars
                .get("API_KEY_HEADER")
                .cloned()
                .unwrap_or_else(|| "Galileo-API-Key".into()),
        };
        ServerProcess { child, target }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Not waited for on purpose: a waited-for child's peak RSS would be folded into
        // ours by getrusage(RUSAGE_CHILDREN), and so into `/usr/bin/time -v`'s report.
        // The zombie is reaped by init when this process exits.
        let _ = self.child.kill();
    }
}

pub(crate) fn server_bin(opts: &Opts) -> PathBuf {
    if let Some(p) = opts.str("--server-bin") {
        return PathBuf::from(p);
    }
    // target/release/deps/export-<hash> → target/release/examples/mock_server
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let candidate = profile_dir.join("examples").join("mock_server");
    if candidate.exists() {
        return candidate;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/examples/mock_server")
}

/// The local server of `records` traces, pre-rendered (a request then costs it little
/// more than writing reference-counted chunks), on one worker thread: the bench target of
/// every mode that measures the client.
pub(crate) fn prerendered(
    records: u64,
    seed: u64,
    (tmin, tmax): (usize, usize),
) -> galileo_export_mock::MockServerBuilder {
    MockServer::builder()
        .root_counts(0, records, 0)
        .seed(seed)
        .text_len(tmin, tmax)
        .prerender(true)
        .worker_threads(1)
}

/// A server that answers every request with `body` as JSON Lines (`Content-Length`, no
/// authentication), from memory: in one `write_all`, or paced to `rate` bytes a second on
/// the wire (64 KiB writes, each sent when its time comes). `encoding`: the
/// `Content-Encoding` it declares (the body is sent as given). Returns its base URL.
pub(crate) fn serve_fixed(
    body: Bytes,
    encoding: Option<&'static str>,
    rate: Option<u64>,
) -> String {
    use std::io::Write;
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let body = body.clone();
            std::thread::spawn(move || {
                if read_request(&mut stream).is_none() {
                    return;
                }
                let coding =
                    encoding.map_or(String::new(), |e| format!("Content-Encoding: {e}\r\n"));
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/jsonl\r\n{coding}\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                if stream.write_all(answer.as_bytes()).is_err() {
                    return;
                }
                let Some(rate) = rate else {
                    let _ = stream.write_all(&body);
                    return;
                };
                let start = Instant::now();
                let mut sent = 0usize;
                for piece in body.chunks(64 << 10) {
                    let due = start + Duration::from_secs_f64(sent as f64 / rate as f64);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    if stream.write_all(piece).is_err() {
                        return;
                    }
                    sent += piece.len();
                }
            });
        }
    });
    format!("http://{addr}")
}

/// Reads one HTTP/1.1 request (its head, then a `Content-Length` body) from `stream`;
/// `None` if the connection ends first.
pub(crate) fn read_request(stream: &mut std::net::TcpStream) -> Option<()> {
    use std::io::Read;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap_or(0) == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut request = vec![0u8; length];
    stream.read_exact(&mut request).ok()
}

/// A Python with `package` from PyPI: a venv of that name under the target directory,
/// created (and the package installed) the first time; `import` is what must import.
pub(crate) fn venv_python(name: &str, package: &str, import: &str) -> PathBuf {
    let venv = scratch_dir().join(name);
    let python = venv.join("bin").join("python");
    let works = |p: &Path| {
        Command::new(p)
            .args(["-c", &format!("import {import}")])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !works(&python) {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", package])
                .status()
                .is_ok_and(|s| s.success());
        assert!(ok && works(&python), "cannot set up a venv with {package}");
    }
    python
}

/// The whole body of `t`'s trace export (JSON Lines, uncompressed), read with `client`'s
/// `bytes()`.
pub(crate) async fn whole_body(t: &Target, client: &Client) -> Vec<u8> {
    let mut body = client
        .export(t.project_id)
        .log_stream(t.log_stream_id)
        .root_type(RootType::Trace)
        .bytes()
        .await
        .expect("export");
    let mut all = Vec::new();
    while let Some(chunk) = body.next().await {
        all.extend_from_slice(&chunk.expect("chunk"));
    }
    all
}
