//! Crash safety (issue 18, part 4): the real `ohgov` binary, run as a child process on the demo's
//! data, is killed with SIGKILL in the middle of a 50,000-row CPD import, an evidence upload of a
//! 24 MB file, the making of an evidence pack, and the draining of 2,000 queued messages; and
//! `ohgov serve` is killed while a 24 MB upload's multipart body is half sent. After
//! each kill, and again after running the command once more to the end (the restart), the
//! database is consistent (SQLite: `PRAGMA integrity_check` and `foreign_key_check`; both: the
//! counts, every evidence file with its blob and every blob whole), the write is all or nothing,
//! and `ohgov verify-log` passes.
//!
//! A kill lands "in the middle" by evidence, not by a guess: the child is killed once it has begun
//! writing (SQLite's write-ahead log grows past its emptied size; on PostgreSQL the child's
//! transaction holds a transaction id), after a short delay, and the test asserts that the child
//! died of the signal with the work unfinished, trying again with a shorter delay when it finished
//! first.

mod support;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use ohgov::db::schema::{blobs, cpd_records, evidence_items, history, outbox_messages};
use ohgov::db::{DbConnection, ProviderId};
use ohgov::outbox::{self, Letter, MessageKind, MessageStatus, Recipient};
use sha2::{Digest, Sha256};
use support::{pdf, Backend, TestDb};

/// Rows in the import file.
const IMPORT_ROWS: usize = 50_000;

/// Messages queued for the drain.
const MESSAGES: usize = 2_000;

/// The evidence file's size: just under the default upload limit of 25 MB.
const UPLOAD_BYTES: usize = 24 * 1024 * 1024;

/// How many times a case is tried before a kill that lands mid-way is given up on.
const ATTEMPTS: u32 = 6;

/// The `ohgov` binary pointed at one test database, its history key and its own mail folder.
struct Ohgov<'a> {
    db: &'a TestDb,
    mail_dir: PathBuf,
}

impl Ohgov<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ohgov"));
        command
            .args(args)
            .args(["--database-url", &self.db.url])
            .env_remove("DATABASE_URL")
            .env_remove("OHGOV_SMTP_URL")
            .env("OHGOV_HISTORY_KEY_FILE", self.db.history_key_file())
            .env("OHGOV_MAIL_DIR", &self.mail_dir)
            .env("OHGOV_LOG", "warn");
        command
    }

    /// Runs a command to its end and insists it succeeded (the restart after a kill).
    fn run(&self, args: &[&str]) -> String {
        let output = self.command(args).output().expect("ohgov runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "ohgov {args:?} failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
        stdout
    }

    /// `ohgov verify-log` passes.
    fn verify_log(&self) {
        let printed = self.run(&["verify-log"]);
        assert!(printed.contains("history intact"), "{printed}");
    }
}

/// How a killed run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// SIGKILL ended it while it was still working.
    Killed,
    /// It finished before the kill (the delay was too long).
    Finished,
}

/// Starts `command`, waits until `began` says the work has begun (polled every millisecond), then
/// `after`, and kills it with SIGKILL.
fn kill_midway(mut command: Command, began: &mut dyn FnMut() -> bool, after: Duration) -> Ended {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("ohgov starts");
    loop {
        if began() {
            break;
        }
        if child.try_wait().expect("wait on ohgov").is_some() {
            return Ended::Finished;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the work never began");
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(after);
    let _ = child.kill();
    let status = child.wait().expect("wait on ohgov");
    // A child that exited between the look and the kill is a finished one, whatever kill said.
    let ended = match status.signal() {
        Some(libc::SIGKILL) => Ended::Killed,
        _ => Ended::Finished,
    };
    // Shown with --nocapture: how far in each kill landed.
    println!(
        "ohgov {}: {ended:?} {} ms after starting ({} ms after the work began)",
        command.get_args().take(2).map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" "),
        started.elapsed().as_millis(),
        after.as_millis()
    );
    ended
}

/// Whether a writer has begun: SQLite's write-ahead log (emptied by [`quiesce`]) holds pages; on
/// PostgreSQL, another session of this database holds a transaction id, which it gets at its first
/// write.
fn writing_began(db: &TestDb, conn: &mut DbConnection) -> bool {
    match db.sqlite_path() {
        Some(path) => std::fs::metadata(wal_path(&path)).is_ok_and(|m| m.len() > 0),
        None => {
            #[derive(QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            diesel::sql_query(
                "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL",
            )
            .get_result::<Count>(conn)
            .expect("read pg_stat_activity")
            .n > 0
        }
    }
}

fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Empties SQLite's write-ahead log into the file, so that its growth shows the next writer.
fn quiesce(conn: &mut DbConnection) {
    if let DbConnection::Sqlite(c) = conn {
        c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)").expect("checkpoint");
    }
}

/// The database is whole: SQLite's own checks (on a fresh connection, which recovers the log a
/// killed writer left), and on both backends no evidence file without its blob and no blob whose
/// bytes are not the ones its hash and size name.
fn assert_consistent(db: &TestDb, when: &str) {
    let mut conn = db.conn();
    if let DbConnection::Sqlite(c) = &mut conn {
        #[derive(QueryableByName)]
        struct Line {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let lines = diesel::sql_query("PRAGMA integrity_check").load::<Line>(c).expect("integrity_check");
        let lines: Vec<String> = lines.into_iter().map(|l| l.integrity_check).collect();
        assert_eq!(lines, vec!["ok".to_string()], "{when}: integrity_check");
        #[derive(QueryableByName)]
        struct Violation {
            #[diesel(sql_type = diesel::sql_types::Text)]
            table: String,
        }
        let violations = diesel::sql_query("PRAGMA foreign_key_check").load::<Violation>(c).expect("foreign_key_check");
        let tables: Vec<String> = violations.into_iter().map(|v| v.table).collect();
        assert!(tables.is_empty(), "{when}: foreign keys broken in {tables:?}");
    }
    let orphans: i64 = evidence_items::table
        .left_join(blobs::table)
        .filter(evidence_items::blob_sha256.is_not_null())
        .filter(blobs::sha256.nullable().is_null())
        .count()
        .get_result(&mut conn)
        .expect("count items without blobs");
    assert_eq!(orphans, 0, "{when}: evidence items without their blob");
    let shas: Vec<String> = blobs::table.select(blobs::sha256).load(&mut conn).expect("blobs");
    for sha in shas {
        let (size, content): (i64, Vec<u8>) =
            blobs::table.find(&sha).select((blobs::size_bytes, blobs::content)).first(&mut conn).expect("a blob");
        assert_eq!(size, content.len() as i64, "{when}: blob {sha} holds {} bytes, not {size}", content.len());
        assert_eq!(hex::encode(Sha256::digest(&content)), sha, "{when}: blob {sha} is not the bytes of its hash");
    }
}

fn northshire(conn: &mut DbConnection) -> ProviderId {
    use ohgov::db::schema::organisations;
    let id: i32 = organisations::table
        .filter(organisations::name.eq("Northshire OH Service"))
        .select(organisations::id)
        .first(conn)
        .expect("the demo's provider");
    ProviderId(id)
}

fn cpd_count(conn: &mut DbConnection) -> i64 {
    cpd_records::table.count().get_result(conn).expect("count CPD")
}

/// A kill in the middle of a 50,000-row CPD import leaves none of its rows; the import run again
/// writes all of them.
fn import_is_all_or_nothing(db: &TestDb, ohgov: &Ohgov, provider: ProviderId, dir: &Path) {
    use ohgov::db::schema::staff;
    let mut conn = db.conn();
    let numbers: Vec<String> = staff::table
        .filter(staff::provider_id.eq(provider.0))
        .select(staff::staff_number)
        .order(staff::id)
        .load(&mut conn)
        .expect("the demo's staff");
    assert!(!numbers.is_empty(), "the demo has staff");
    let mut csv = String::from("staff_number,date,title,hours,participatory,reflective\n");
    let day = support::today() - chrono::Duration::days(30);
    for i in 0..IMPORT_ROWS {
        let date = day - chrono::Duration::days((i % 300) as i64);
        csv.push_str(&format!("{},{date},Course {i},1.5,yes,no\n", numbers[i % numbers.len()]));
    }
    let file = dir.join("cpd.csv");
    std::fs::write(&file, csv).expect("write the CSV");
    let args = ["import", "cpd", "--provider", &provider.to_string(), file.to_str().expect("a path")];

    let mut after = Duration::from_millis(40);
    let mut killed_midway = false;
    for _ in 0..ATTEMPTS {
        quiesce(&mut conn);
        let before = cpd_count(&mut conn);
        let mut watcher = db.conn();
        let ended = kill_midway(ohgov.command(&args), &mut || writing_began(db, &mut watcher), after);
        drop(watcher);
        assert_consistent(db, "after the import was killed");
        let now = cpd_count(&mut db.conn());
        assert!(
            now == before || now == before + IMPORT_ROWS as i64,
            "the import is all or nothing: {before} CPD records became {now}"
        );
        if ended == Ended::Killed && now == before {
            killed_midway = true;
            break;
        }
        after /= 2;
    }
    assert!(killed_midway, "no kill landed in the middle of the import in {ATTEMPTS} tries");
    ohgov.verify_log();

    let before = cpd_count(&mut conn);
    let printed = ohgov.run(&args);
    assert!(printed.contains("50000 created"), "{printed}");
    assert_eq!(cpd_count(&mut conn), before + IMPORT_ROWS as i64, "the import run again writes every row");
    assert_consistent(db, "after the import ran again");
    ohgov.verify_log();
}

fn item_count(conn: &mut DbConnection, provider: ProviderId) -> i64 {
    evidence_items::table
        .filter(evidence_items::provider_id.eq(provider.0))
        .count()
        .get_result(conn)
        .expect("count evidence")
}

/// A kill in the middle of adding a 24 MB file leaves the library as it was, or with the item and
/// its whole blob; never one without the other.
fn upload_is_all_or_nothing(db: &TestDb, ohgov: &Ohgov, provider: ProviderId, dir: &Path) {
    let file = dir.join("large-policy.pdf");
    let content = large_pdf(0x9e37_79b9_7f4a_7c15);
    let sha = hex::encode(Sha256::digest(&content));
    std::fs::write(&file, &content).expect("write the file");
    let args = [
        "evidence",
        "add",
        "--provider",
        &provider.to_string(),
        "--title",
        "Large policy",
        file.to_str().expect("a path"),
    ];

    let mut conn = db.conn();
    let mut after = Duration::from_millis(20);
    let mut killed_midway = false;
    for _ in 0..ATTEMPTS {
        quiesce(&mut conn);
        let before = item_count(&mut conn, provider);
        let mut watcher = db.conn();
        let ended = kill_midway(ohgov.command(&args), &mut || writing_began(db, &mut watcher), after);
        drop(watcher);
        assert_consistent(db, "after the upload was killed");
        let now = item_count(&mut db.conn(), provider);
        assert!(now == before || now == before + 1, "the upload is all or nothing: {before} items became {now}");
        if ended == Ended::Killed && now == before {
            killed_midway = true;
            break;
        }
        after /= 2;
    }
    assert!(killed_midway, "no kill landed in the middle of the upload in {ATTEMPTS} tries");
    ohgov.verify_log();

    let before = item_count(&mut conn, provider);
    let id: i32 = ohgov.run(&args).trim().parse().expect("the new item's id");
    assert_eq!(item_count(&mut conn, provider), before + 1);
    let blob: Option<String> =
        evidence_items::table.find(id).select(evidence_items::blob_sha256).first(&mut conn).expect("the new item");
    assert_eq!(blob.as_deref(), Some(sha.as_str()), "the item holds the file");
    assert_consistent(db, "after the upload ran again");
    ohgov.verify_log();
}

/// One HTTP/1.1 exchange over a fresh connection (closed after it): the status, the cookies set
/// (`name=value`), and the body.
fn http(address: &str, head: &str, body: &[u8]) -> (u16, Vec<String>, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("the server accepts");
    stream.write_all(head.as_bytes()).expect("send the head");
    stream.write_all(body).expect("send the body");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read the answer");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer.as_str(), ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, value)| value.trim().split(';').next().map(str::to_string))
        .collect();
    (status, cookies, body.to_string())
}

/// `ohgov serve` on a free loopback port, killed with SIGKILL when dropped.
struct Server {
    child: std::process::Child,
    address: String,
}

impl Server {
    fn start(ohgov: &Ohgov) -> Server {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port();
        let address = format!("127.0.0.1:{port}");
        let child = ohgov
            .command(&["serve", "--bind", &address])
            .env("OHGOV_SESSION_KEY_FILE", ohgov.db.secrets_dir.path().join("session.key"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ohgov serve starts");
        let started = Instant::now();
        while healthy(&address).is_none() {
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not answer /healthz");
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child, address }
    }

    /// SIGKILL, and the proof that it was the signal that ended it.
    fn kill(mut self) {
        let _ = self.child.kill();
        let status = self.child.wait().expect("wait on the server");
        assert_eq!(status.signal(), Some(libc::SIGKILL), "the server died of the kill");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the server answers `GET /healthz` with 200 (its database answers).
fn healthy(address: &str) -> Option<()> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.starts_with("HTTP/1.1 200").then_some(())
}

/// Signs the demo's manager in; the session's cookie header and the upload form's token.
fn manager_session(server: &Server, provider: ProviderId) -> (String, String) {
    let get = |path: &str, cookie: &str| {
        http(
            &server.address,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
            b"",
        )
    };
    let (_, cookies, page) = get("/sign-in", "");
    let cookie = cookies.join("; ");
    let form = format!(
        "csrf_token={}&email=manager%40northshire-oh.example&password=demo-manager-2026",
        support::form_token(&page)
    );
    let (status, cookies, _) = http(
        &server.address,
        &format!(
            "POST /sign-in HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            form.len()
        ),
        form.as_bytes(),
    );
    assert_eq!(status, 303, "the demo's manager signs in");
    let cookie = cookies.join("; ");
    let (status, _, page) = get(&format!("/providers/{provider}/evidence/new"), &cookie);
    assert_eq!(status, 200, "the manager opens the upload form");
    (cookie, support::form_token(&page))
}

/// The upload's request head and multipart body.
fn upload_request(provider: ProviderId, cookie: &str, token: &str, content: &[u8]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "crash-test-boundary-7d1e";
    let mut body = Vec::new();
    for (name, value) in [("csrf_token", token), ("kind", "file"), ("title", "Policy sent over the web")] {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"policy.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let head = format!(
        "POST /providers/{provider}/evidence HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    (head, body)
}

/// The server killed while a 24 MB upload's body is half sent: afterwards the library is as it
/// was and the database whole; the server started again takes the same upload whole.
fn server_upload_is_all_or_nothing(db: &TestDb, ohgov: &Ohgov, provider: ProviderId) {
    use std::io::Write;
    let content = large_pdf(0x5151_2026_0018_0004);
    let mut conn = db.conn();
    let before = item_count(&mut conn, provider);
    let server = Server::start(ohgov);
    let (cookie, token) = manager_session(&server, provider);
    let (head, body) = upload_request(provider, &cookie, &token, &content);
    let mut stream = std::net::TcpStream::connect(&server.address).expect("the server accepts");
    stream.write_all(head.as_bytes()).expect("send the head");
    let half = body.len() / 2;
    stream.write_all(&body[..half]).expect("send half the body");
    stream.flush().expect("flush");
    // The server has read into the body (what it buffers, at most a little, is past the head).
    std::thread::sleep(Duration::from_millis(100));
    server.kill();
    // The rest of the body meets a dead server.
    let rest = stream.write_all(&body[half..]);
    println!("the server was killed with {half} of {} bytes sent (the rest: {rest:?})", body.len());
    drop(stream);
    assert_consistent(db, "after the server was killed mid-upload");
    assert_eq!(item_count(&mut conn, provider), before, "half an upload adds nothing");
    ohgov.verify_log();

    let server = Server::start(ohgov);
    let (cookie, token) = manager_session(&server, provider);
    let (head, body) = upload_request(provider, &cookie, &token, &content);
    let (status, _, page) = http(&server.address, &head, &body);
    assert_eq!(status, 303, "the whole upload is taken: {page}");
    server.kill();
    assert_eq!(item_count(&mut conn, provider), before + 1, "the whole upload adds its item");
    let sha = hex::encode(Sha256::digest(&content));
    let held: i64 = evidence_items::table
        .filter(evidence_items::blob_sha256.eq(&sha))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(held, 1, "the item holds the file sent");
    assert_consistent(db, "after the upload was sent again");
    ohgov.verify_log();
}

/// A file of [`UPLOAD_BYTES`] that reads as a PDF, its middle drawn from `seed`.
fn large_pdf(seed: u64) -> Vec<u8> {
    let mut content = b"%PDF-1.4\n".to_vec();
    let mut state = seed;
    while content.len() < UPLOAD_BYTES - 16 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        content.extend_from_slice(&state.to_le_bytes());
    }
    content.extend_from_slice(b"\n%%EOF\n");
    content
}

/// The hashes recorded by the pack's "made" history rows for the provider.
fn packs_made(conn: &mut DbConnection, provider: ProviderId) -> Vec<String> {
    history::table
        .filter(history::entity.eq(ohgov::documents::pack::PACK_ENTITY))
        .filter(history::organisation_id.eq(provider.0))
        .filter(history::action.eq("make"))
        .order(history::id)
        .select(history::changes)
        .load::<String>(conn)
        .expect("pack history")
        .into_iter()
        .map(|changes| {
            let changes: serde_json::Value = serde_json::from_str(&changes).expect("JSON changes");
            changes["sha256"]["after"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

/// The out file is absent or a complete PDF, and a pack-made row names a file that is there.
fn assert_pack_whole(conn: &mut DbConnection, provider: ProviderId, out: &Path, rows_before: usize, when: &str) {
    let rows = packs_made(conn, provider);
    match std::fs::read(out) {
        Err(_) => assert_eq!(rows.len(), rows_before, "{when}: a pack-made row without its file"),
        Ok(bytes) => {
            assert!(bytes.starts_with(b"%PDF-"), "{when}: the pack is not a PDF");
            assert!(pdf::page_count(&bytes) > 0, "{when}: the pack does not read as a PDF");
            if rows.len() > rows_before {
                let sha = hex::encode(Sha256::digest(&bytes));
                assert_eq!(rows.last(), Some(&sha), "{when}: the pack-made row names another file");
            }
        }
    }
}

/// A kill in the middle of making the pack leaves no pack-made row without its file, and no half a
/// PDF where the pack should be.
fn pack_is_all_or_nothing(db: &TestDb, ohgov: &Ohgov, provider: ProviderId, dir: &Path) {
    let out = dir.join("pack.pdf");
    let args = ["pack", "--provider", &provider.to_string(), "--out", out.to_str().expect("a path")];
    let mut conn = db.conn();
    let mut after = Duration::from_millis(80);
    let mut killed_midway = false;
    for _ in 0..ATTEMPTS {
        let _ = std::fs::remove_file(&out);
        quiesce(&mut conn);
        let rows_before = packs_made(&mut conn, provider).len();
        let mut watcher = db.conn();
        let ended = kill_midway(ohgov.command(&args), &mut || writing_began(db, &mut watcher), after);
        drop(watcher);
        assert_consistent(db, "after the pack was killed");
        assert_pack_whole(&mut conn, provider, &out, rows_before, "after the pack was killed");
        if ended == Ended::Killed && packs_made(&mut conn, provider).len() == rows_before {
            killed_midway = true;
            break;
        }
        after /= 2;
    }
    assert!(killed_midway, "no kill landed in the middle of the pack in {ATTEMPTS} tries");
    ohgov.verify_log();

    let rows_before = packs_made(&mut conn, provider).len();
    ohgov.run(&args);
    assert_eq!(packs_made(&mut conn, provider).len(), rows_before + 1);
    assert_pack_whole(&mut conn, provider, &out, rows_before, "after the pack ran again");
    assert!(out.exists(), "the pack is written");
    assert_consistent(db, "after the pack ran again");
    ohgov.verify_log();
}

/// The `.eml` files in the mail folder, by outbox id; and the hidden temporary files left there.
fn mail_files(dir: &Path) -> (Vec<i32>, usize) {
    let (mut ids, mut temporary) = (Vec::new(), 0);
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            temporary += 1;
        } else if let Some(id) = name.split('-').next().and_then(|n| n.parse().ok()) {
            let text = std::fs::read_to_string(entry.path()).expect("a message file");
            assert!(text.contains(&format!("<ohgov.{id}.")), "{name} is a whole message");
            ids.push(id);
        }
    }
    ids.sort_unstable();
    (ids, temporary)
}

/// The files of the test's own messages (the demo queues one of its own).
fn ours(files: Vec<i32>, lines: &[(i32, MessageStatus)]) -> Vec<i32> {
    files.into_iter().filter(|id| lines.iter().any(|(line, _)| line == id)).collect()
}

/// A kill in the middle of draining 2,000 messages loses none: each is sent or still queued, every
/// sent one is in the mail folder, and at most the one in flight went without being marked. The
/// drain run again (once the dead sender's lease has run out) sends the rest, each once.
fn mail_drain_loses_nothing(db: &TestDb, ohgov: &Ohgov) {
    let mut conn = db.conn();
    let now = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    let queue_more = |conn: &mut DbConnection, round: usize| {
        ohgov::db::write_transaction(conn, |conn| {
            for n in 0..MESSAGES {
                let mut context = tera::Context::new();
                context.insert("invited_by", "Dr Asha Patel");
                context.insert("organisation", "Northshire OH Service");
                context.insert("link_path", &format!("/account/set-password/token-{round}-{n}"));
                context.insert("expires_at", "2026-12-05T09:00:00");
                let letter = Letter {
                    kind: MessageKind::RegistrationDue,
                    key: format!("crash:{round}:{n}"),
                    to: Recipient {
                        email: format!("person{n}@northshire.example"),
                        name: format!("Person {n}"),
                        user: None,
                    },
                    provider: None,
                    subject: format!("Crash test message {round}-{n}"),
                    template: "invitation",
                    context,
                };
                assert!(outbox::queue(conn, &letter, now)?, "{} is queued", letter.key);
            }
            Ok::<_, ohgov::db::StoreError>(())
        })
        .expect("the messages are queued");
    };
    let statuses = |conn: &mut DbConnection| -> Vec<(i32, MessageStatus)> {
        outbox_messages::table
            .filter(outbox_messages::message_key.like("crash:%"))
            .select((outbox_messages::id, outbox_messages::status))
            .order(outbox_messages::id)
            .load(conn)
            .expect("the outbox")
    };

    let mut killed_midway = false;
    for round in 0..ATTEMPTS as usize {
        queue_more(&mut conn, round);
        let total = statuses(&mut conn).len();
        let files_before = mail_files(&ohgov.mail_dir).0.len();
        let mut began = || mail_files(&ohgov.mail_dir).0.len() >= files_before + 20;
        let ended = kill_midway(ohgov.command(&["mail", "send"]), &mut began, Duration::ZERO);
        assert_consistent(db, "after the drain was killed");
        let lines = statuses(&mut conn);
        assert_eq!(lines.len(), total, "no message is lost");
        let files = ours(mail_files(&ohgov.mail_dir).0, &lines);
        for (id, status) in &lines {
            assert!(matches!(status, MessageStatus::Sent | MessageStatus::Queued), "message {id} is {status:?}");
            if *status == MessageStatus::Sent {
                assert!(files.binary_search(id).is_ok(), "message {id} is marked sent but is not in the folder");
            }
        }
        let unmarked: Vec<i32> = files
            .iter()
            .copied()
            .filter(|id| lines.iter().any(|(line, status)| line == id && *status == MessageStatus::Queued))
            .collect();
        assert!(unmarked.len() <= 1, "only the message in flight may go unmarked: {unmarked:?}");
        let queued = lines.iter().filter(|(_, s)| *s == MessageStatus::Queued).count();
        if ended == Ended::Killed && queued > 0 {
            killed_midway = true;
            break;
        }
    }
    assert!(killed_midway, "no kill landed in the middle of the drain in {ATTEMPTS} tries");
    ohgov.verify_log();

    // The dead sender's lease runs out (five minutes; moved back here rather than waited for).
    diesel::update(outbox_messages::table.filter(outbox_messages::status.eq(MessageStatus::Queued)))
        .set(outbox_messages::claimed_until.eq(Some(chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1))))
        .execute(&mut conn)
        .expect("the lease runs out");
    let printed = ohgov.run(&["mail", "send"]);
    assert!(printed.contains("0 to retry, 0 failed"), "{printed}");
    let lines = statuses(&mut conn);
    assert!(lines.iter().all(|(_, s)| *s == MessageStatus::Sent), "every message is sent");
    let (files, temporary) = mail_files(&ohgov.mail_dir);
    let files = ours(files, &lines);
    let ids: Vec<i32> = lines.iter().map(|(id, _)| *id).collect();
    assert_eq!(files, ids, "each message is in the folder exactly once");
    assert!(temporary <= 1, "at most the message in flight's temporary file is left: {temporary}");
    assert_consistent(db, "after the drain ran again");
    ohgov.verify_log();
}

fn killed_midway_loses_nothing(db: TestDb) {
    let mut conn = db.migrated();
    ohgov::cli::demo::build(&mut conn, support::today()).expect("the demo builds");
    let provider = northshire(&mut conn);
    drop(conn);
    let dir = tempfile::tempdir().expect("a folder");
    let ohgov = Ohgov { db: &db, mail_dir: dir.path().join("mail") };
    ohgov.verify_log();
    import_is_all_or_nothing(&db, &ohgov, provider, dir.path());
    upload_is_all_or_nothing(&db, &ohgov, provider, dir.path());
    server_upload_is_all_or_nothing(&db, &ohgov, provider);
    pack_is_all_or_nothing(&db, &ohgov, provider, dir.path());
    mail_drain_loses_nothing(&db, &ohgov);
}

#[test]
fn sqlite() {
    if support::selected(Backend::Sqlite) {
        killed_midway_loses_nothing(TestDb::sqlite_with(support::Seed::Migrated));
    }
}

#[test]
fn postgres() {
    if let Some(db) = TestDb::postgres_with(support::Seed::Migrated) {
        killed_midway_loses_nothing(db);
    }
}
