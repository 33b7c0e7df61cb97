//! Email (issue 17): the outbox drained through a real SMTP server on loopback (Debian's
//! aiosmtpd, started by each test; skipped with a notice where it is missing, a failure under CI),
//! or into `.eml` files when no server is configured, on both backends. Messages arrive with the
//! right recipients and subjects; with the server down they stay queued with each attempt's error
//! and go out when it comes back; a day of failures marks them failed, shown on the outbox pages;
//! a sender that crashed holding a claim delays only its messages; and two senders on one database
//! never send the same message.

mod support;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use ohgov::accounts::model::UserInput;
use ohgov::config::MailSettings;
use ohgov::db::schema::{outbox_attempts, outbox_messages};
use ohgov::db::{DbConnection, ProviderId};
use ohgov::mail::sender::{self, DrainReport};
use ohgov::mail::transport::Transport;
use ohgov::outbox::store::{self as outbox_store, OutboxLine};
use ohgov::outbox::{self, Letter, MessageKind, MessageStatus, Recipient};
use support::smtp::SmtpServer;
use support::{service, PASSWORD};

const FROM: &str = "Northshire OH governance <ohgov@northshire.example>";

/// The moment the tests' messages are queued.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).single().expect("a moment")
}

/// Test letter `n`, drawn from the invitation's templates.
fn letter(n: usize, kind: MessageKind, provider: Option<ProviderId>) -> Letter {
    let mut context = tera::Context::new();
    context.insert("invited_by", "Dr Asha Patel");
    context.insert("organisation", "Northshire OH Service");
    context.insert("link_path", &format!("/account/set-password/token-{n}"));
    context.insert("expires_at", "2026-12-05T09:00:00");
    Letter {
        kind,
        key: format!("test:{n}"),
        to: Recipient { email: format!("person{n}@northshire.example"), name: format!("Person {n}"), user: None },
        provider,
        subject: format!("Test message {n}"),
        template: "invitation",
        context,
    }
}

/// Queues letters `numbers` in one transaction at `at`.
fn queue(conn: &mut DbConnection, numbers: impl IntoIterator<Item = usize>, kind: MessageKind, at: DateTime<Utc>) {
    let letters: Vec<Letter> = numbers.into_iter().map(|n| letter(n, kind, None)).collect();
    queue_letters(conn, &letters, at);
}

fn queue_letters(conn: &mut DbConnection, letters: &[Letter], at: DateTime<Utc>) {
    ohgov::db::write_transaction(conn, |conn| {
        for letter in letters {
            assert!(outbox::queue(conn, letter, at.naive_utc())?, "{} is queued", letter.key);
        }
        Ok::<_, ohgov::db::StoreError>(())
    })
    .expect("the letters are queued");
}

fn smtp(server: &SmtpServer) -> Transport {
    let settings = MailSettings {
        smtp_url: Some(server.url()),
        user: None,
        password: None,
        from: FROM.into(),
        mail_dir: "unused".into(),
    };
    Transport::from_settings(&settings).expect("the loopback URL is usable")
}

fn drain(conn: &mut DbConnection, transport: &Transport, sender: &str, at: DateTime<Utc>) -> DrainReport {
    sender::drain(conn, transport, FROM, sender, at).expect("the drain runs")
}

fn line(conn: &mut DbConnection, n: usize) -> OutboxLine {
    outbox_store::by_key(conn, &format!("test:{n}")).expect("read").expect("queued").1
}

fn report(sent: usize, retried: usize, failed: usize) -> DrainReport {
    DrainReport { sent, retried, failed }
}

on_both_backends!(
    queued_messages_arrive_with_their_recipients_and_subjects_once,
    db | db | {
        let Some(server) = SmtpServer::start() else { return };
        let mut conn = db.conn();
        queue(&mut conn, 1..=2, MessageKind::RegistrationDue, t0());
        queue(&mut conn, [3], MessageKind::Invitation, t0());
        let transport = smtp(&server);
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0()), report(3, 0, 0));
        let mut received = server.received();
        received.sort_by(|a, b| a.subject.cmp(&b.subject));
        assert_eq!(received.len(), 3);
        for (n, message) in (1..=3).zip(&received) {
            assert_eq!(message.recipients, [format!("person{n}@northshire.example")]);
            assert!(message.to.contains(&format!("Person {n}")), "{}", message.to);
            assert_eq!(message.subject, format!("Test message {n}"));
            assert!(message.message_id.starts_with("<ohgov.") && message.message_id.ends_with("@northshire.example>"));
            assert!(message.text.contains("Dear Person"), "{}", message.text);
            assert!(message.text.contains(&format!("/account/set-password/token-{n}")), "the link is in the message");
            assert!(message.text.contains("5 Dec 2026"), "a UK date: {}", message.text);
            assert!(message.raw.contains("text/html"), "an HTML alternative");
            let line = line(&mut conn, n);
            assert_eq!((line.status, line.attempts), (MessageStatus::Sent, 1));
            assert_eq!(line.sent_at, Some(t0().naive_utc()));
        }
        // The invitation's single-use link is no longer held once it has gone; the others keep theirs.
        let (invitation, _) = outbox_store::by_key(&mut conn, "test:3").unwrap().unwrap();
        assert_eq!(
            (invitation.body_text.as_str(), invitation.body_html.as_str()),
            (outbox_store::WITHHELD, outbox_store::WITHHELD)
        );
        let (reminder, _) = outbox_store::by_key(&mut conn, "test:1").unwrap().unwrap();
        assert!(reminder.body_text.contains("token-1"));
        // Nothing is sent twice.
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0() + Duration::hours(1)), report(0, 0, 0));
        assert_eq!(server.received().len(), 3);
        // And the same key is never queued twice.
        assert!(!outbox::queue(&mut conn, &letter(1, MessageKind::RegistrationDue, None), t0().naive_utc()).unwrap());
    }
);

on_both_backends!(
    with_the_server_down_messages_stay_queued_and_go_when_it_is_back,
    db | db | {
        let Some(mut server) = SmtpServer::start() else { return };
        server.stop();
        let mut conn = db.conn();
        queue(&mut conn, 1..=2, MessageKind::RegistrationDue, t0());
        let transport = smtp(&server);
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0()), report(0, 2, 0));
        for n in 1..=2 {
            let line = line(&mut conn, n);
            assert_eq!((line.status, line.attempts), (MessageStatus::Queued, 1));
            let error = line.last_error.clone().unwrap_or_default();
            assert!(
                error.starts_with(&format!("127.0.0.1:{}: Connection error", server.port)),
                "the error is kept: {error}"
            );
            assert_eq!(error.matches("refused").count(), 1, "said once: {error}");
            assert_eq!(line.next_attempt_at, (t0() + Duration::minutes(1)).naive_utc(), "a minute's wait first");
            let attempts = outbox_store::attempts(&mut conn, line.id).unwrap();
            assert_eq!(attempts.len(), 1);
            assert_eq!((attempts[0].sender.as_str(), attempts[0].error.is_some()), ("sender-a", true));
        }
        // Still down a minute later: the wait doubles.
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0() + Duration::minutes(1)), report(0, 2, 0));
        assert_eq!(line(&mut conn, 1).next_attempt_at, (t0() + Duration::minutes(3)).naive_utc());
        server.start_again();
        // Back, but before the next attempt is due: nothing is tried.
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0() + Duration::minutes(2)), report(0, 0, 0));
        assert!(server.received().is_empty());
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0() + Duration::minutes(3)), report(2, 0, 0));
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0() + Duration::minutes(10)), report(0, 0, 0));
        let received = server.received();
        let subjects: BTreeSet<&str> = received.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!((received.len(), subjects.len()), (2, 2), "each once");
        let line = line(&mut conn, 1);
        assert_eq!((line.status, line.attempts, line.last_error), (MessageStatus::Sent, 3, None));
    }
);

on_both_backends!(
    a_sender_that_crashed_holding_a_claim_delays_only_its_message,
    db | db | {
        let Some(server) = SmtpServer::start() else { return };
        let mut conn = db.conn();
        let transport = smtp(&server);
        queue(&mut conn, [1], MessageKind::RegistrationDue, t0());
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0()), report(1, 0, 0));
        queue(&mut conn, 2..=3, MessageKind::RegistrationDue, t0());
        // A sender claims message 2 and dies before marking it.
        let claimed = outbox_store::claim(&mut conn, "crashed", t0().naive_utc(), 1, sender::LEASE).unwrap();
        assert_eq!(claimed.iter().map(|m| m.message_key.as_str()).collect::<Vec<_>>(), ["test:2"]);
        // Another sender sends the rest, not the claimed one, nor the one already sent.
        assert_eq!(drain(&mut conn, &transport, "sender-b", t0() + Duration::seconds(5)), report(1, 0, 0));
        assert_eq!(line(&mut conn, 2).status, MessageStatus::Queued);
        // Once the lease has run out, it goes.
        let after_lease = t0() + sender::LEASE + Duration::seconds(1);
        assert_eq!(drain(&mut conn, &transport, "sender-b", after_lease), report(1, 0, 0));
        let mut subjects: Vec<String> = server.received().into_iter().map(|m| m.subject).collect();
        subjects.sort();
        assert_eq!(subjects, ["Test message 1", "Test message 2", "Test message 3"], "each once");
        let sent_by: Vec<String> = outbox_attempts::table
            .filter(outbox_attempts::message_id.eq(line(&mut conn, 2).id))
            .select(outbox_attempts::sender)
            .load(&mut conn)
            .unwrap();
        assert_eq!(sent_by, ["sender-b"]);
    }
);

on_both_backends!(
    two_senders_draining_at_once_send_each_message_exactly_once,
    db | db | {
        let Some(server) = SmtpServer::start() else { return };
        let mut conn = db.conn();
        queue(&mut conn, 1..=40, MessageKind::RegistrationDue, t0());
        let transport = smtp(&server);
        let start = std::sync::Barrier::new(2);
        let reports: Vec<DrainReport> = std::thread::scope(|scope| {
            let senders: Vec<_> = ["sender-a", "sender-b"]
                .into_iter()
                .map(|name| {
                    let (db, transport, start) = (&db, &transport, &start);
                    scope.spawn(move || {
                        let mut conn = db.conn();
                        start.wait();
                        drain(&mut conn, transport, name, t0())
                    })
                })
                .collect();
            senders.into_iter().map(|s| s.join().expect("a sender finishes")).collect()
        });
        assert_eq!(reports.iter().map(|r| r.sent).sum::<usize>(), 40, "{reports:?}");
        let received = server.received();
        let ids: BTreeSet<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!((received.len(), ids.len()), (40, 40), "40 files, 40 distinct Message-IDs");
        let attempts: i64 = outbox_attempts::table.count().get_result(&mut conn).unwrap();
        assert_eq!(attempts, 40, "one attempt each");
        let sent: i64 = outbox_messages::table
            .filter(outbox_messages::status.eq(MessageStatus::Sent))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(sent, 40);
    }
);

on_both_backends!(
    with_no_server_configured_each_message_is_an_eml_file_in_queue_order,
    db | db | {
        let mut conn = db.conn();
        queue(&mut conn, 1..=2, MessageKind::RegistrationDue, t0());
        queue(&mut conn, [3], MessageKind::Invitation, t0());
        let mut settings = db.settings();
        let dir = db.secrets_dir.path().join("not-yet-made");
        settings.mail.mail_dir = dir.clone();
        let transport = Transport::from_settings(&settings.mail).expect("the default transport");
        assert!(matches!(transport, Transport::Directory(_)));
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0()), report(3, 0, 0));
        let mut names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        let ids: Vec<i32> = (1..=3).map(|n| line(&mut conn, n).id).collect();
        assert_eq!(
            names,
            [
                format!("{:06}-registration_due.eml", ids[0]),
                format!("{:06}-registration_due.eml", ids[1]),
                format!("{:06}-invitation.eml", ids[2]),
            ]
        );
        let first = support::smtp::parse(&std::fs::read_to_string(dir.join(&names[0])).unwrap());
        assert_eq!(first.subject, "Test message 1");
        assert!(first.to.contains("person1@northshire.example"));
        assert!(first.message_id.starts_with(&format!("<ohgov.{}.", ids[0])));
        assert!(first.raw.contains("From: "), "the whole message, headers and all");
    }
);

on_both_backends!(
    an_address_that_is_not_one_is_failed_at_once_with_the_reason,
    db | db | {
        let mut conn = db.conn();
        let mut bad = letter(1, MessageKind::RegistrationDue, None);
        bad.to.email = "asha at northshire".into();
        queue_letters(&mut conn, &[bad], t0());
        let transport = Transport::Directory(db.secrets_dir.path().join("mail"));
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0()), report(0, 0, 1));
        let line = line(&mut conn, 1);
        assert_eq!((line.status, line.attempts), (MessageStatus::Failed, 1));
        assert!(line.last_error.unwrap().contains("asha at northshire"));
    }
);

/// An address with nothing listening: every attempt is refused at once.
fn dead_server() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("smtp://127.0.0.1:{port}")
}

/// The application for the outbox pages, its own sender kept out of the way (the support turns it
/// off), its clock two days before the messages are queued.
async fn app_with_quiet_sender(db: support::TestDb) -> support::TestApp {
    let mut settings = db.settings();
    settings.clock = ohgov::clock::Clock::fixed_at(t0() - Duration::days(2));
    support::TestApp::spawn_with(db, settings).await
}

mod a_message_failing_for_a_day_is_failed_shown_to_those_who_may_see_it_and_sent_again {
    use super::*;

    #[actix_web::test]
    async fn sqlite() {
        if support::selected(support::Backend::Sqlite) {
            run(app_with_quiet_sender(support::TestDb::sqlite_with(support::Seed::Catalogue)).await).await
        }
    }

    #[actix_web::test]
    async fn postgres() {
        if let Some(db) = support::TestDb::postgres_with(support::Seed::Catalogue) {
            run(app_with_quiet_sender(db).await).await
        }
    }

    async fn run(app: support::TestApp) {
        let mut conn = app.db.conn();
        let north = service(&mut conn, "Northshire OH Service", "north");
        let south = service(&mut conn, "Southvale OH Ltd", "south");
        let admin = UserInput {
            email: "admin@ohgov.example".into(),
            name: "Admin".into(),
            password: PASSWORD.into(),
            is_admin: true,
        };
        ohgov::accounts::store::create_user(&mut conn, None, &admin.parse().unwrap(), None).unwrap();
        let mut failing = letter(1, MessageKind::RegistrationDue, Some(north.provider));
        failing.to.name = "Dr Asha Patel".into();
        failing.subject = "Your registration is due in 30 days".into();
        queue_letters(&mut conn, &[failing, letter(2, MessageKind::RegistrationDue, Some(south.provider))], t0());
        let settings = MailSettings {
            smtp_url: Some(dead_server()),
            user: None,
            password: None,
            from: FROM.into(),
            mail_dir: "unused".into(),
        };
        let transport = Transport::from_settings(&settings).unwrap();
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0()), report(0, 2, 0));
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0() + Duration::hours(23)), report(0, 2, 0));
        assert_eq!(drain(&mut conn, &transport, "sender-a", t0() + Duration::hours(24)), report(0, 0, 2));
        let failed = line(&mut conn, 1);
        assert_eq!((failed.status, failed.attempts), (MessageStatus::Failed, 3));
        assert_eq!(failed.failed_at, Some((t0() + Duration::hours(24)).naive_utc()));
        let error = failed.last_error.clone().unwrap();

        let (admin, _) = support::browser_signed_in(&app, "admin@ohgov.example", PASSWORD).await;
        let page = admin.get(format!("{}/admin/outbox?status=failed", app.address)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let page = page.text().await.unwrap();
        assert!(page.contains("Dr Asha Patel") && page.contains("Person 2"), "every provider's messages");
        assert!(page.contains("Your registration is due in 30 days"));
        let shown_error = error.replace('"', "&quot;").replace('\'', "&#x27;");
        assert!(page.contains(&shown_error) || page.contains(&error), "the error is shown: {error}");
        assert!(!page.contains("token-1"), "never the bodies");
        assert!(page.contains("2 failed"));
        assert!(page.contains("Northshire OH Service") && page.contains("Southvale OH Ltd"), "each one's provider");

        let north_page = format!("{}/providers/{}/outbox", app.address, north.provider);
        let (manager, token) = support::browser_signed_in(&app, "manager@north.example", PASSWORD).await;
        let page = manager.get(&north_page).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Dr Asha Patel") && !page.contains("Person 2"), "only the provider's own");
        assert!(page.contains("Send again"));
        let viewer = support::browser_signed_in(&app, "viewer@north.example", PASSWORD).await.0;
        assert_eq!(viewer.get(&north_page).send().await.unwrap().status().as_u16(), 403, "not a manager");
        let (other, other_token) = support::browser_signed_in(&app, "manager@south.example", PASSWORD).await;
        assert_eq!(other.get(&north_page).send().await.unwrap().status().as_u16(), 404, "another provider's");
        // Another provider's manager cannot send it again through their own provider's page.
        let theirs = format!("{}/providers/{}/outbox/{}/send-again", app.address, south.provider, failed.id);
        let refused = other.post(&theirs).form(&[("csrf_token", other_token.as_str())]).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 404);

        let again = format!("{north_page}/{}/send-again", failed.id);
        let response = manager.post(&again).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 303);
        let page = manager.get(&north_page).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains(
                "The message to Dr Asha Patel, &quot;Your registration is due in 30 days&quot;, will be sent again"
            ),
            "the confirmation"
        );
        let line = line(&mut conn, 1);
        assert_eq!((line.status, line.attempts, line.failed_at), (MessageStatus::Queued, 3, None));
        assert_eq!(line.next_attempt_at, (t0() - Duration::days(2)).naive_utc(), "due at once");
        // Sending again what is no longer failed is refused.
        let response = manager.post(&again).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 409);
        let history: i64 = ohgov::db::schema::history::table
            .filter(ohgov::db::schema::history::entity.eq("outbox_message"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(history, 1, "a history row for the change");
    }
}

on_both_backends!(
    ohgov_mail_send_drains_once_and_says_what_happened,
    db | db | {
        let mut conn = db.conn();
        queue(&mut conn, 1..=2, MessageKind::RegistrationDue, Utc::now() - Duration::minutes(1));
        let dir = db.secrets_dir.path().join("eml");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
            .args(["mail", "send"])
            .env("DATABASE_URL", &db.url)
            .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
            .env("OHGOV_MAIL_DIR", &dir)
            .env_remove("OHGOV_SMTP_URL")
            .output()
            .expect("ohgov runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
        assert!(stdout.starts_with("2 sent, 0 to retry, 0 failed"), "{stdout}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        let bad = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
            .args(["mail", "send"])
            .env("DATABASE_URL", &db.url)
            .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
            .env("OHGOV_SMTP_URL", "smtp//nowhere")
            .output()
            .expect("ohgov runs");
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("OHGOV_SMTP_URL"), "the variable is named");
    }
);

on_both_backends!(
    the_running_server_sends_what_is_queued_by_itself,
    db | db | {
        let mut conn = db.migrated();
        queue(&mut conn, 1..=2, MessageKind::RegistrationDue, Utc::now() - Duration::minutes(1));
        let mut settings = db.settings();
        settings.send_mail = true;
        let dir = settings.mail.mail_dir.clone();
        let state = ohgov::prepare(settings).expect("application prepares");
        actix_web::rt::System::new().block_on(async move {
            let (server, _) = ohgov::bind(state, "127.0.0.1:0").expect("bind a free port");
            let handle = server.handle();
            actix_web::rt::spawn(server);
            // The first drain runs at once.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0) < 2 {
                assert!(std::time::Instant::now() < deadline, "the server sent nothing within 20 s");
                actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            handle.stop(false).await;
        });
        for n in 1..=2 {
            assert_eq!(line(&mut conn, n).status, MessageStatus::Sent);
        }
    }
);
