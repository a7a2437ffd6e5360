//! Where an export is written, over real sockets against the local Galileo server:
//! devices, FIFOs and sockets are written in place (never replaced); a symbolic link is
//! followed and stays a link; a replaced file keeps its permission bits; a failed or
//! dropped export leaves an existing file untouched and no temporary file; stdout is
//! written by a dedicated thread. The CLI's side (stdout, devices, SIGINT and SIGTERM) is
//! in `cli/tests/output_targets.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::file_names as names;
use common::mock::{expected, export};
use common::{on_thread, part_files};
use galileo_export::{Client, Error};
use galileo_export_mock::{Fault, MockServer};

async fn server(records: u64) -> MockServer {
    common::mock::server(records, 23).await
}

fn client(server: &MockServer) -> Client {
    common::mock::client(
        server,
        Some(Duration::from_secs(5)),
        Duration::from_millis(5),
    )
}

#[cfg(unix)]
fn is_char_device(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_char_device())
        .unwrap_or(false)
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_character_device_is_written_in_place() {
    let server = server(300).await;
    let client = client(&server);
    let body = expected(&client, &server);

    // First a null device of our own (needs root): if `save` replaced devices, this
    // fails before /dev/null is ever touched.
    let dir = tempfile::tempdir().expect("tempdir");
    let null = dir.path().join("null");
    let made = Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let summary = export(&client, &server).save(&null).await.expect("saved");
        assert_eq!(summary.bytes, body.len() as u64);
        assert!(is_char_device(&null), "the device was replaced");
        assert_eq!(names(dir.path()), vec!["null".to_string()]);
    }

    let dev_null = Path::new("/dev/null");
    assert!(
        is_char_device(dev_null),
        "precondition: /dev/null is a device"
    );
    let summary = export(&client, &server)
        .save(dev_null)
        .await
        .expect("saved to /dev/null");
    assert_eq!(summary.bytes, body.len() as u64, "every byte was written");
    assert_eq!(summary.records, Some(300));
    assert!(is_char_device(dev_null), "/dev/null is still a device");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_is_written_in_place_and_gets_the_same_bytes_as_a_file() {
    use std::os::unix::fs::FileTypeExt;

    let server = server(500).await;
    let client = client(&server);
    let dir = tempfile::tempdir().expect("tempdir");

    let file = dir.path().join("traces.jsonl");
    let to_file = export(&client, &server).save(&file).await.expect("saved");
    let in_file = std::fs::read(&file).expect("the file exists");
    assert_eq!(in_file, expected(&client, &server));

    let fifo = dir.path().join("fifo");
    let status = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", fifo.display());
    let reader = {
        let fifo = fifo.clone();
        on_thread(move || std::fs::read(fifo).expect("the FIFO reads"))
    };
    let to_fifo = export(&client, &server)
        .save(&fifo)
        .await
        .expect("saved to the FIFO");
    let through_fifo = reader(Duration::from_secs(20));
    assert_eq!(through_fifo.len(), in_file.len());
    assert!(through_fifo == in_file, "the FIFO got the file's bytes");
    assert_eq!(to_fifo.bytes, to_file.bytes);
    assert_eq!(to_fifo.records, to_file.records);
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("the FIFO is still there")
        .file_type();
    assert!(kind.is_fifo(), "the FIFO was not replaced: {kind:?}");
    assert!(part_files(dir.path()).is_empty());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unix_socket_is_connected_to() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;

    let server = server(200).await;
    let client = client(&server);
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("binds");
    let reader = on_thread(move || {
        let (mut stream, _) = listener.accept().expect("accepts");
        let mut got = Vec::new();
        stream.read_to_end(&mut got).expect("reads");
        got
    });
    let summary = export(&client, &server)
        .save(&socket)
        .await
        .expect("saved to the socket");
    let got = reader(Duration::from_secs(20));
    assert!(
        got == expected(&client, &server),
        "the socket got the export"
    );
    assert_eq!(summary.bytes, got.len() as u64);
    assert!(std::fs::symlink_metadata(&socket)
        .expect("still there")
        .file_type()
        .is_socket());
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlink_is_followed_and_stays_a_link() {
    let server = server(120).await;
    let client = client(&server);
    let body = expected(&client, &server);
    let dir = tempfile::tempdir().expect("tempdir");
    let links = dir.path().join("links");
    let data = dir.path().join("data");
    std::fs::create_dir(&links).expect("mkdir");
    std::fs::create_dir(&data).expect("mkdir");
    let real = data.join("real.jsonl");
    std::fs::write(&real, b"old\n").expect("write");

    // A relative target is relative to the link's directory, not to the current one.
    let link = links.join("out.jsonl");
    std::os::unix::fs::symlink("../data/real.jsonl", &link).expect("symlink");
    // A link to a link.
    let link2 = links.join("again.jsonl");
    std::os::unix::fs::symlink("out.jsonl", &link2).expect("symlink");

    let summary = export(&client, &server).save(&link).await.expect("saved");
    assert_eq!(summary.bytes, body.len() as u64);
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_link(&link).expect("link"),
        PathBuf::from("../data/real.jsonl"),
        "the link is unchanged"
    );
    assert!(
        std::fs::read(&real).expect("target") == body,
        "target has the export"
    );
    assert_eq!(
        names(&data),
        vec!["real.jsonl".to_string()],
        "no temp file left"
    );
    assert_eq!(
        names(&links),
        vec!["again.jsonl".to_string(), "out.jsonl".to_string()]
    );

    std::fs::write(&real, b"old again\n").expect("write");
    export(&client, &server).save(&link2).await.expect("saved");
    assert!(std::fs::read(&real).expect("target") == body);
    assert!(std::fs::symlink_metadata(&link2)
        .expect("link")
        .file_type()
        .is_symlink());

    // A dangling link: its target is created.
    let dangling = links.join("new.jsonl");
    std::os::unix::fs::symlink("../data/created.jsonl", &dangling).expect("symlink");
    export(&client, &server)
        .save(&dangling)
        .await
        .expect("saved");
    assert!(std::fs::symlink_metadata(&dangling)
        .expect("link")
        .file_type()
        .is_symlink());
    assert!(std::fs::read(data.join("created.jsonl")).expect("created") == body);
    assert_eq!(
        names(&data),
        vec!["created.jsonl".to_string(), "real.jsonl".to_string()]
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_replaced_file_keeps_its_mode_and_owner() {
    use std::os::unix::fs::PermissionsExt;

    let server = server(50).await;
    let client = client(&server);
    let body = expected(&client, &server);
    let dir = tempfile::tempdir().expect("tempdir");
    let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o7777;

    let path = dir.path().join("shared.jsonl");
    std::fs::write(&path, b"old\n").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    export(&client, &server).save(&path).await.expect("saved");
    assert!(std::fs::read(&path).expect("read") == body);
    assert_eq!(mode(&path), 0o640, "the mode was kept");

    // A new file gets the mode any new file gets here (the umask's).
    let reference = dir.path().join("reference");
    std::fs::File::create(&reference).expect("create");
    let new = dir.path().join("new.jsonl");
    export(&client, &server).save(&new).await.expect("saved");
    assert_eq!(mode(&new), mode(&reference));
    assert!(part_files(dir.path()).is_empty());

    // As root, a file owned by someone else stays theirs (group included).
    use std::os::unix::fs::MetadataExt;
    let root = std::fs::metadata(&reference).expect("exists").uid() == 0;
    if root {
        let theirs = dir.path().join("theirs.jsonl");
        std::fs::write(&theirs, b"old\n").expect("write");
        std::os::unix::fs::chown(&theirs, Some(4321), Some(8765)).expect("chown");
        std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        export(&client, &server).save(&theirs).await.expect("saved");
        let meta = std::fs::metadata(&theirs).expect("exists");
        assert_eq!(
            (meta.uid(), meta.gid()),
            (4321, 8765),
            "owner and group kept"
        );
        assert_eq!(mode(&theirs), 0o640);
        assert!(std::fs::read(&theirs).expect("read") == body);
    }
}

/// The temporary file of an export over an existing file has that file's mode from the
/// moment it exists: a server that pauses mid-body holds the export in flight while the
/// temporary file's mode is read (never the umask's 644 for a 600 file).
#[cfg(unix)]
#[tokio::test]
async fn the_temporary_file_has_the_final_mode_while_the_export_is_in_flight() {
    use galileo_export_mock::hostile::{HostileServer, Reply};
    use std::os::unix::fs::PermissionsExt;

    let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o7777;
    let first = b"{\"id\":\"a\",\"created_at\":\"2026-11-01T00:00:00Z\"}\n".to_vec();
    let second = b"{\"id\":\"b\",\"created_at\":\"2026-11-01T00:00:00Z\"}\n".to_vec();
    for final_mode in [0o600, 0o604] {
        let in_flight = Reply::status(200)
            .header("Content-Type", "application/json")
            .chunked()
            .body(first.clone())
            .pause(Duration::from_secs(60))
            .body(second.clone());
        let whole = Reply::status(200)
            .header("Content-Type", "application/json")
            .body([first.clone(), second.clone()].concat());
        let server = HostileServer::start(vec![in_flight, whole]).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("private.jsonl");
        std::fs::write(&path, b"old\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(final_mode))
            .expect("chmod");

        let export = common::hostile_export(&server.base_url());
        let target = path.clone();
        let running = tokio::spawn(async move { export.save(&target).await });
        // The first record reaches the temporary file; the server then pauses.
        let deadline = Instant::now() + Duration::from_secs(30);
        let part = loop {
            let parts = part_files(dir.path());
            if let [part] = parts.as_slice() {
                let part = dir.path().join(part);
                if std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) > 0 {
                    break part;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no temporary file with data appeared"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        assert!(std::fs::read(&part).expect("read") == first);
        assert_eq!(
            mode(&part),
            final_mode,
            "the temporary file of a {final_mode:o} file, in flight"
        );
        running.abort();
        let _ = running.await;
        assert_eq!(std::fs::read(&path).expect("read"), b"old\n");
        assert_eq!(mode(&path), final_mode);

        common::hostile_export(&server.base_url())
            .save(&path)
            .await
            .expect("saved");
        assert!(std::fs::read(&path).expect("read") == [first.clone(), second.clone()].concat());
        assert_eq!(mode(&path), final_mode, "the mode was kept");
        assert!(part_files(dir.path()).is_empty());
    }
}

#[tokio::test]
async fn a_cut_export_leaves_the_existing_file_untouched() {
    let server = server(200).await;
    let client = client(&server);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("traces.jsonl");
    std::fs::write(&path, b"the previous export\n").expect("write");

    server.push_fault(Fault::cut_after(20_000));
    let err = export(&client, &server)
        .save(&path)
        .await
        .expect_err("the export was cut");
    assert!(
        matches!(err, Error::Cut { records, .. } if records > 0),
        "{err:?}"
    );
    assert_eq!(
        std::fs::read(&path).expect("still there"),
        b"the previous export\n"
    );
    assert_eq!(
        names(dir.path()),
        vec!["traces.jsonl".to_string()],
        "no .part file"
    );
}

#[tokio::test]
async fn a_dropped_export_leaves_the_existing_file_untouched() {
    let server = server(200).await;
    let client = client(&server);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("traces.jsonl");
    std::fs::write(&path, b"the previous export\n").expect("write");

    server.push_fault(Fault::slow_drip(2_000, Duration::from_millis(50)));
    let save = export(&client, &server).save(&path);
    let dir_path = dir.path().to_path_buf();
    let saw_part = tokio::select! {
        result = save => panic!("the slow export finished first: {result:?}"),
        saw = async {
            // Until the temporary file has some bytes in it.
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                let written = part_files(&dir_path).iter().any(|n| {
                    std::fs::metadata(dir_path.join(n)).is_ok_and(|m| m.len() > 0)
                });
                if written {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            false
        } => saw,
    };
    assert!(saw_part, "the export was writing a temporary file");
    // The save future is dropped now.
    assert_eq!(
        std::fs::read(&path).expect("still there"),
        b"the previous export\n"
    );
    assert_eq!(
        names(dir.path()),
        vec!["traces.jsonl".to_string()],
        "no .part file"
    );
}

/// A writer the test can read back after the export's thread is done with it.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn write_to_std_writes_the_exact_bytes_and_what_came_before_a_cut() {
    let server = server(400).await;
    let client = client(&server);
    let body = expected(&client, &server);

    let out = Shared::default();
    let summary = export(&client, &server)
        .write_to_std(out.clone())
        .await
        .expect("written");
    assert!(*out.0.lock().expect("lock") == body);
    assert_eq!(summary.bytes, body.len() as u64);
    assert_eq!(summary.records, Some(400));

    // A cut: the complete records before it are written (and flushed), then the error.
    let out = Shared::default();
    server.push_fault(Fault::cut_after(50_000));
    let err = export(&client, &server)
        .write_to_std(out.clone())
        .await
        .expect_err("cut");
    let Error::Cut { records, bytes, .. } = err else {
        panic!("expected a cut, got {err:?}");
    };
    let written = out.0.lock().expect("lock").clone();
    assert_eq!(written.len() as u64, bytes);
    assert!(written[..] == body[..written.len()]);
    assert_eq!(
        written.iter().filter(|b| **b == b'\n').count() as u64,
        records
    );
}

#[tokio::test]
async fn write_to_std_reports_a_write_error() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let server = server(100).await;
    let client = client(&server);
    let err = export(&client, &server)
        .write_to_std(Full)
        .await
        .expect_err("the writer fails");
    let Error::Io { path, source } = &err else {
        panic!("expected an I/O error, got {err:?}");
    };
    assert_eq!(path, "-");
    assert_eq!(source.kind(), std::io::ErrorKind::StorageFull, "{err}");
}
