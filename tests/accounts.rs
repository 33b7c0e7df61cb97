//! Organisations and contracts from the command line: the exact output forms other scripts rely on,
//! the messages for bad input, and that a refused command writes nothing.

mod support;

use diesel::prelude::*;
use ohgov::db::schema::{contracts, history, organisations};
use support::TestDb;

struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn ohgov(db: &TestDb, args: &[&str]) -> Ran {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
        .args(args)
        .args(["--database-url", &db.url])
        .env_remove("DATABASE_URL")
        .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
        .output()
        .expect("run ohgov");
    Ran {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn counts(db: &TestDb) -> (i64, i64, i64) {
    let mut conn = db.migrated();
    (
        organisations::table.count().get_result(&mut conn).unwrap(),
        contracts::table.count().get_result(&mut conn).unwrap(),
        history::table.count().get_result(&mut conn).unwrap(),
    )
}

on_both_backends!(
    org_and_contract_add_print_ids_alone_and_leave_history,
    db | db | {
        let provider =
            ohgov(&db, &["org", "add", "--kind", "provider", "--name", "Northshire OH Service", "--code", "rx1"]);
        assert!(provider.ok, "{}", provider.stderr);
        let provider_id: i32 = provider.stdout.trim_end_matches('\n').parse().expect("the id, alone, on stdout");
        assert_eq!(provider.stdout, format!("{provider_id}\n"));
        let trust =
            ohgov(&db, &["org", "add", "--kind", "commissioner", "--name", "Northshire Teaching Hospitals NHS Trust"]);
        let trust_id: i32 = trust.stdout.trim().parse().expect("the id, alone, on stdout");

        let contract = ohgov(
            &db,
            &[
                "contract",
                "add",
                "--commissioner",
                &trust_id.to_string(),
                "--provider",
                &provider_id.to_string(),
                "--start",
                "2026-04-01",
                "--end",
                "2027-03-31",
                "--services",
                "PREV,TIME",
            ],
        );
        assert!(contract.ok, "{}", contract.stderr);
        let contract_id: i32 = contract.stdout.trim().parse().expect("the contract id on stdout");

        let mut conn = db.migrated();
        let code: Option<String> =
            organisations::table.find(provider_id).select(organisations::code).first(&mut conn).unwrap();
        assert_eq!(code.as_deref(), Some("RX1"));
        let (start, end, services): (chrono::NaiveDate, Option<chrono::NaiveDate>, String) = contracts::table
            .find(contract_id)
            .select((contracts::starts_on, contracts::ends_on, contracts::services))
            .first(&mut conn)
            .unwrap();
        assert_eq!(start.to_string(), "2026-04-01");
        assert_eq!(end.map(|d| d.to_string()).as_deref(), Some("2027-03-31"));
        assert_eq!(services, r#"["PREV","TIME"]"#);

        // Seven catalogue loads (the built-in files), two organisations and one contract, in one
        // intact chain.
        let entities: Vec<String> = history::table.select(history::entity).order(history::id).load(&mut conn).unwrap();
        assert_eq!(entities[..7], ["catalogue"; 7]);
        assert_eq!(entities[7..], ["organisation", "organisation", "contract"]);
        let verified = ohgov(&db, &["verify-log"]);
        assert!(verified.ok && verified.stdout.starts_with("history intact: 10 rows"), "{}", verified.stdout);
    }
);

on_both_backends!(
    bad_organisations_are_refused_at_the_field_and_write_nothing,
    db | db | {
        // Prepare the database (migrations, catalogue) so only the refused rows could change counts.
        ohgov(&db, &["catalogue", "load"]);
        let before = counts(&db);
        for (args, field, message) in [
            (vec!["--kind", "provider", "--name", "   "], "name", "Enter the organisation's name"),
            (
                vec!["--kind", "hospital", "--name", "X"],
                "kind",
                "\"hospital\" is not an organisation kind: choose Provider or Commissioner",
            ),
            (
                vec!["--kind", "provider", "--name", "X", "--code", "RX-1"],
                "code",
                "The code may hold only letters and digits",
            ),
            (
                vec!["--kind", "provider", "--name", "X", "--type", "icb"],
                "organisation_type",
                "\"icb\" is not a type of provider: choose",
            ),
        ] {
            let ran = ohgov(&db, &[vec!["org", "add"], args].concat());
            assert!(!ran.ok, "refused");
            assert!(ran.stdout.is_empty(), "no id printed");
            assert!(ran.stderr.contains(&format!("{field}: {message}")), "{}", ran.stderr);
        }
        assert_eq!(counts(&db), before, "nothing was written");
    }
);

on_both_backends!(
    bad_contracts_are_refused_and_write_nothing,
    db | db | {
        let provider = ohgov(&db, &["org", "add", "--kind", "provider", "--name", "P"]).stdout.trim().to_string();
        let trust = ohgov(&db, &["org", "add", "--kind", "commissioner", "--name", "T"]).stdout.trim().to_string();
        let before = counts(&db);
        for (args, message) in [
            (
                vec!["--commissioner", &trust, "--provider", &provider, "--start", "2026-04-01", "--end", "2026-03-31"],
                "ends_on: The end date must be the same as or after the start date",
            ),
            (vec!["--commissioner", &provider, "--provider", &trust, "--start", "2026-04-01"], "is not a commissioner"),
            (
                vec!["--commissioner", &trust, "--provider", "9999", "--start", "2026-04-01"],
                "Organisation 9999 is not a provider",
            ),
            (
                vec!["--commissioner", &trust, "--provider", &provider, "--start", "1 April"],
                "start: \"1 April\" is not a date",
            ),
            (
                vec![
                    "--commissioner",
                    &trust,
                    "--provider",
                    &provider,
                    "--start",
                    "2026-04-01",
                    "--services",
                    "PREV,SPA",
                ],
                "services: Not core services: SPA",
            ),
        ] {
            let ran = ohgov(&db, &[vec!["contract", "add"], args].concat());
            assert!(!ran.ok, "refused: {message}");
            assert!(ran.stderr.contains(message), "{}", ran.stderr);
        }
        assert_eq!(counts(&db), before, "nothing was written");
    }
);

fn ohgov_with_stdin(db: &TestDb, args: &[&str], stdin: &str) -> Ran {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
        .args(args)
        .args(["--database-url", &db.url])
        .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run ohgov");
    // A command refused at its arguments may exit before reading its input: a closed pipe is no
    // failure here (the exit status and messages below are what is checked).
    if let Err(e) = child.stdin.take().expect("stdin").write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    let output = child.wait_with_output().expect("ohgov finishes");
    Ran {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn user_count(db: &TestDb) -> i64 {
    ohgov::db::schema::users::table.count().get_result(&mut db.migrated()).unwrap()
}

on_both_backends!(
    users_are_added_with_hashed_passwords_and_unique_emails,
    db | db | {
        let provider = ohgov(&db, &["org", "add", "--kind", "provider", "--name", "Northshire OH Service"]).stdout;
        let provider = provider.trim();
        let added = ohgov_with_stdin(
            &db,
            &[
                "user",
                "add",
                "--email",
                "Jo.Bloggs@Northshire.nhs.uk",
                "--name",
                "Jo Bloggs",
                "--org",
                provider,
                "--role",
                "manager",
            ],
            "a long enough passphrase\n",
        );
        assert!(added.ok, "{}", added.stderr);
        let id: i32 = added.stdout.trim().parse().expect("the id, alone, on stdout");
        assert!(!added.stdout.contains("password"), "a password given on stdin is never printed");

        use ohgov::db::schema::{memberships, users};
        let mut conn = db.migrated();
        let (email, hash): (String, String) =
            users::table.find(id).select((users::email, users::password_hash)).first(&mut conn).unwrap();
        assert_eq!(email, "jo.bloggs@northshire.nhs.uk");
        assert!(hash.starts_with("$argon2id$"));
        assert!(ohgov::accounts::secrets::verify_password("a long enough passphrase", &hash));
        let role: String =
            memberships::table.filter(memberships::user_id.eq(id)).select(memberships::role).first(&mut conn).unwrap();
        assert_eq!(role, "manager");

        let before = (user_count(&db), counts(&db));
        for (args, stdin, message) in [
            (
                vec!["--email", "JO.BLOGGS@northshire.nhs.uk", "--name", "Jo Again"],
                "another long passphrase\n",
                "email: A user with this email address already exists",
            ),
            (
                vec!["--email", "jo@", "--name", "Jo"],
                "another long passphrase\n",
                "email: Enter an email address in the correct format",
            ),
            (
                vec!["--email", "short@northshire.nhs.uk", "--name", "Sam"],
                "short\n",
                "password: Enter a password of at least 12 characters",
            ),
            (
                vec!["--email", "c@trust.nhs.uk", "--name", "C", "--org", provider, "--role", "commissioner"],
                "another long passphrase\n",
                "role: The commissioner role is held in a commissioner, not a provider",
            ),
            (
                vec!["--email", "a@fom.example", "--name", "A", "--org", provider, "--role", "assessor"],
                "another long passphrase\n",
                "expires_on: Enter the date an assessor's access ends",
            ),
            (
                vec!["--email", "x@northshire.nhs.uk", "--name", "X", "--org", provider, "--role", "owner"],
                "another long passphrase\n",
                "\"owner\" is not a role",
            ),
            (
                vec!["--email", "p@northshire.nhs.uk", "--name", "P"],
                "Password1234\n",
                "password: This password is too common or easy to guess. Try three random words",
            ),
            (
                vec!["--email", "r@northshire.nhs.uk", "--name", "R"],
                "aaaaaaaaaaaaaaaa\n",
                "password: This password is too common or easy to guess",
            ),
            (
                vec!["--email", "n@northshire.nhs.uk", "--name", "N", "--org", provider, "--role", "manager"],
                "northshire oh service\n",
                "password: This password is too common or easy to guess",
            ),
        ] {
            let ran = ohgov_with_stdin(&db, &[vec!["user", "add"], args].concat(), stdin);
            assert!(!ran.ok, "refused: {message}");
            assert!(ran.stderr.contains(message), "{}", ran.stderr);
        }
        assert_eq!(
            (user_count(&db), counts(&db)),
            before,
            "nothing was written, not even the user of a refused membership"
        );
    }
);

on_both_backends!(
    tokens_are_shown_once_stored_hashed_and_revocable,
    db | db | {
        ohgov_with_stdin(
            &db,
            &["user", "add", "--email", "api@northshire.nhs.uk", "--name", "ESR feed"],
            "a long enough passphrase\n",
        );
        let created = ohgov(&db, &["token", "create", "--user", "API@northshire.nhs.uk"]);
        assert!(created.ok, "{}", created.stderr);
        let token = created.stdout.trim().to_string();
        assert_eq!(created.stdout, format!("{token}\n"), "the token, alone, on stdout");
        assert!(token.starts_with("ohgov_"));

        use ohgov::db::schema::api_tokens;
        let mut conn = db.migrated();
        let stored: String = api_tokens::table.select(api_tokens::token_sha256).first(&mut conn).unwrap();
        assert_ne!(stored, token, "only a hash is kept");
        assert!(ohgov::accounts::store::token_user(&mut conn, &token).unwrap().is_some());

        let revoked = ohgov(&db, &["token", "revoke", &token]);
        assert!(revoked.ok, "{}", revoked.stderr);
        assert_eq!(
            ohgov::accounts::store::token_user(&mut conn, &token).unwrap(),
            None,
            "a revoked token opens nothing"
        );
        let again = ohgov(&db, &["token", "revoke", &token]);
        assert!(!again.ok && again.stderr.contains("already revoked"), "{}", again.stderr);
        let unknown = ohgov(&db, &["token", "create", "--user", "nobody@example.org"]);
        assert!(!unknown.ok && unknown.stderr.contains("There is no user with the email address nobody@example.org"));
        let verified = ohgov(&db, &["verify-log"]);
        assert!(verified.ok, "{}", verified.stderr);
    }
);

fn add_user(db: &TestDb, email: &str, password: &str) -> ohgov::db::UserId {
    let user = ohgov::accounts::model::UserInput {
        email: email.into(),
        name: "Jo Bloggs".into(),
        password: password.into(),
        is_admin: false,
    }
    .parse()
    .unwrap();
    ohgov::accounts::store::create_user(&mut db.migrated(), None, &user, None).unwrap()
}

/// The hidden form token on a page.
fn form_token(html: &str) -> String {
    let start = html.find("name=\"csrf_token\" value=\"").expect("the page has a form token") + 25;
    html[start..].split('"').next().unwrap().to_string()
}

async fn post_sign_in(app: &support::TestApp, email: &str, password: &str) -> reqwest::Response {
    let (_, page) = app.get_text("/sign-in").await;
    let token = form_token(&page);
    app.client
        .post(format!("{}/sign-in", app.address))
        .form(&[("csrf_token", token.as_str()), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

on_both_backends!(
    signing_in_sets_a_strict_http_only_cookie,
    app | app | {
        add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
        let response = post_sign_in(&app, "JO@northshire.nhs.uk", "a long enough passphrase").await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(response.headers()["location"], "/");
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(!cookie.contains("Secure"), "Secure only when OHGOV_SECURE_COOKIES=1");
        assert!(cookie.contains("Max-Age=43200"), "ends after 12 hours unused: {cookie}");
        let (_, home) = app.get_text("/").await;
        assert!(home.contains("Signed in as <strong>Jo Bloggs</strong>"), "{home}");
    }
);

on_both_backends!(
    ten_wrong_passwords_lock_the_account_until_the_lock_ends,
    app | app | {
        let id = add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
        for attempt in 1..=10 {
            let response = post_sign_in(&app, "jo@northshire.nhs.uk", "wrong password!").await;
            assert_eq!(response.status().as_u16(), 401, "attempt {attempt}");
            let page = response.text().await.unwrap();
            assert!(page.contains("Enter a correct email address and password"), "attempt {attempt}");
            assert!(!page.contains("locked"), "the answer does not say the account is locked");
        }
        let refused = post_sign_in(&app, "jo@northshire.nhs.uk", "a long enough passphrase").await;
        assert_eq!(refused.status().as_u16(), 401, "the right password is refused while locked");
        assert!(refused.text().await.unwrap().contains("Enter a correct email address and password"));

        // Fifteen minutes later (moved in the database rather than waited for), it is accepted.
        use ohgov::db::schema::users;
        let locked_until: Option<chrono::NaiveDateTime> =
            users::table.find(id).select(users::locked_until).first(&mut app.db.migrated()).unwrap();
        let until = locked_until.expect("locked");
        let now = chrono::Utc::now().naive_utc();
        assert!(until > now + chrono::Duration::minutes(14) && until <= now + chrono::Duration::minutes(15));
        diesel::update(users::table.find(id))
            .set(users::locked_until.eq(Some(now - chrono::Duration::seconds(1))))
            .execute(&mut app.db.migrated())
            .unwrap();
        let accepted = post_sign_in(&app, "jo@northshire.nhs.uk", "a long enough passphrase").await;
        assert_eq!(accepted.status().as_u16(), 303);
    }
);

on_both_backends!(
    a_sign_in_without_the_form_token_is_refused_and_counts_nothing,
    app | app | {
        let id = add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
        let response = app
            .client
            .post(format!("{}/sign-in", app.address))
            .form(&[("email", "jo@northshire.nhs.uk"), ("password", "wrong password!")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403);
        use ohgov::db::schema::{sign_in_failures, users};
        let mut conn = app.db.migrated();
        let failed: i32 = users::table.find(id).select(users::failed_sign_ins).first(&mut conn).unwrap();
        let by_address: i64 = sign_in_failures::table.count().get_result(&mut conn).unwrap();
        assert_eq!((failed, by_address), (0, 0), "nothing was written");
    }
);

on_both_backends!(
    signing_out_everywhere_ends_other_sessions,
    app | app | {
        add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
        let other = support::TestApp::new_browser();
        for client in [&app.client, &other] {
            let page = client.get(format!("{}/sign-in", app.address)).send().await.unwrap().text().await.unwrap();
            let token = form_token(&page);
            let signed_in = client
                .post(format!("{}/sign-in", app.address))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", "jo@northshire.nhs.uk"),
                    ("password", "a long enough passphrase"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(signed_in.status().as_u16(), 303);
        }
        let post_everywhere = |client: reqwest::Client| {
            let address = app.address.clone();
            async move {
                let home = client.get(format!("{address}/")).send().await.unwrap().text().await.unwrap();
                let token = if home.contains("csrf_token") { form_token(&home) } else { String::new() };
                client
                    .post(format!("{address}/sign-out-everywhere"))
                    .form(&[("csrf_token", token)])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let first = post_everywhere(app.client.clone()).await;
        assert_eq!(first.headers()["location"], "/sign-in");
        // The other browser's session is refused now: sent to sign in, and the header no longer
        // shows anyone signed in after that.
        let second = post_everywhere(other.clone()).await;
        assert_eq!(second.status().as_u16(), 303);
        let home = other.get(format!("{}/", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("Not signed in"), "{home}");
        let verified = history_rows(&app.db, "sign_out_everywhere");
        assert_eq!(verified, 1, "the second request ended nothing more");
        let rows: i64 = ohgov::db::schema::sessions::table.count().get_result(&mut app.db.migrated()).unwrap();
        assert_eq!(rows, 0, "every session row of the user is gone");
    }
);

/// The session cookie a response set, as a `cookie` header would send it back.
fn session_cookie(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
}

/// A request to `path` carrying `cookie` by hand, as a copied cookie would be sent.
async fn replay(app: &support::TestApp, path: &str, cookie: &str) -> reqwest::Response {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    client.get(format!("{}{path}", app.address)).header("cookie", cookie).send().await.unwrap()
}

on_both_backends!(
    a_cookie_copied_before_signing_out_is_refused_after_it,
    app | app | {
        add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
        let signed_in = post_sign_in(&app, "jo@northshire.nhs.uk", "a long enough passphrase").await;
        assert_eq!(signed_in.status().as_u16(), 303);
        let copied = session_cookie(&signed_in);
        assert_eq!(replay(&app, "/account", &copied).await.status().as_u16(), 200, "the copy works while signed in");
        let (_, page) = app.get_text("/account").await;
        let token = form_token(&page);
        let out = app
            .client
            .post(format!("{}/sign-out", app.address))
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.headers()["location"], "/sign-in");
        let refused = replay(&app, "/account", &copied).await;
        assert_eq!(refused.status().as_u16(), 303, "signed out: the copied cookie is refused");
        assert_eq!(refused.headers()["location"], "/sign-in?next=%2Faccount", "sent to sign in, and back here after");
        let rows: i64 = ohgov::db::schema::sessions::table.count().get_result(&mut app.db.migrated()).unwrap();
        assert_eq!(rows, 0, "signing out deleted the session's row");
    }
);

on_both_backends!(
    a_session_ends_seven_days_after_signing_in_however_recently_used,
    catalogue_db | db | {
        actix_web::rt::System::new().block_on(async move {
            let start = chrono::Utc::now();
            let mut settings = db.settings();
            settings.clock = ohgov::clock::Clock::fixed_at(start);
            let clock = settings.clock.clone();
            let app = support::TestApp::spawn_with(db, settings).await;
            add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
            let signed_in = post_sign_in(&app, "jo@northshire.nhs.uk", "a long enough passphrase").await;
            assert_eq!(signed_in.status().as_u16(), 303);
            // Used every eleven hours, within the twelve-hour idle limit, for seven days.
            let mut hours = 0;
            while hours + 11 <= 7 * 24 {
                hours += 11;
                clock.set(start + chrono::Duration::hours(hours));
                let (status, _) = app.get_text("/account").await;
                assert_eq!(status, 200, "still within seven days at {hours} hours");
            }
            clock.set(start + chrono::Duration::days(7) + chrono::Duration::minutes(1));
            let refused = app.client.get(format!("{}/account", app.address)).send().await.unwrap();
            assert_eq!(refused.status().as_u16(), 303, "seven days after signing in the session is over");
            assert_eq!(refused.headers()["location"], "/sign-in?next=%2Faccount");
        });
    }
);

/// The sign-in page's error message, from a refused sign-in's page.
async fn refusal_message(response: reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 401);
    let page = response.text().await.unwrap();
    let start = page.find("Enter a correct").or_else(|| page.find("locked")).expect("a refusal message");
    page[start..].split('<').next().unwrap().to_string()
}

on_both_backends!(
    locked_unknown_and_wrong_are_answered_alike_and_each_leaves_a_history_row,
    app | app | {
        let id = add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
        add_user(&app.db, "sam@northshire.nhs.uk", "a long enough passphrase");
        let signed_in = post_sign_in(&app, "sam@northshire.nhs.uk", "a long enough passphrase").await;
        assert_eq!(signed_in.status().as_u16(), 303);
        assert_eq!(history_rows(&app.db, "sign_in"), 1, "a sign-in is in the trail");

        let wrong = refusal_message(post_sign_in(&app, "jo@northshire.nhs.uk", "wrong password!").await).await;
        assert_eq!(history_rows(&app.db, "sign_in_failed"), 1, "a failure is in the trail");
        let unknown = refusal_message(post_sign_in(&app, "nobody@northshire.nhs.uk", "wrong password!").await).await;
        assert_eq!(history_rows(&app.db, "sign_in_failed"), 2, "a failure for an unknown email too");
        for _ in 2..=10 {
            post_sign_in(&app, "jo@northshire.nhs.uk", "wrong password!").await;
        }
        assert_eq!(history_rows(&app.db, "lock"), 1, "the lockout is in the trail");
        let locked =
            refusal_message(post_sign_in(&app, "jo@northshire.nhs.uk", "a long enough passphrase").await).await;
        assert_eq!(wrong, "Enter a correct email address and password");
        assert_eq!(unknown, wrong, "an unknown email is answered as a wrong password is");
        assert_eq!(locked, wrong, "a locked account is answered as a wrong password is");

        let mut conn = app.db.migrated();
        let unknown_row: (Option<i32>, String) = history::table
            .filter(history::action.eq("sign_in_failed"))
            .order(history::id)
            .offset(1)
            .select((history::user_id, history::changes))
            .first(&mut conn)
            .unwrap();
        assert_eq!(unknown_row.0, None, "an unknown email's failure has no user");
        assert!(unknown_row.1.contains("nobody@northshire.nhs.uk"), "{}", unknown_row.1);
        let all: Vec<String> = history::table.select(history::changes).load(&mut conn).unwrap();
        assert!(all.iter().all(|c| !c.contains("wrong password!") && !c.contains("long enough")), "no password");

        // The lock ends; the next sign-in unlocks, and says so in the trail.
        use ohgov::db::schema::users;
        diesel::update(users::table.find(id))
            .set(users::locked_until.eq(Some(chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1))))
            .execute(&mut conn)
            .unwrap();
        let accepted = post_sign_in(&app, "jo@northshire.nhs.uk", "a long enough passphrase").await;
        assert_eq!(accepted.status().as_u16(), 303);
        assert_eq!(history_rows(&app.db, "unlock"), 1);
        assert!(ohgov(&app.db, &["verify-log"]).ok);
    }
);

on_both_backends!(
    wrong_current_passwords_on_the_change_password_form_lock_the_account,
    app | app | {
        use ohgov::db::schema::users;
        let id = add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
        assert_eq!(post_sign_in(&app, "jo@northshire.nhs.uk", "a long enough passphrase").await.status().as_u16(), 303);
        let change = |current: &'static str| {
            let (client, address) = (app.client.clone(), app.address.clone());
            async move {
                let page = client.get(format!("{address}/account")).send().await.unwrap().text().await.unwrap();
                let token = form_token(&page);
                client
                    .post(format!("{address}/account/password"))
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("current_password", current),
                        ("new_password", "another long passphrase"),
                        ("confirm_password", "another long passphrase"),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        for attempt in 1..=10 {
            assert_eq!(change("wrong password!").await.status().as_u16(), 422, "attempt {attempt}");
        }
        let locked_until: Option<chrono::NaiveDateTime> =
            users::table.find(id).select(users::locked_until).first(&mut app.db.migrated()).unwrap();
        assert!(locked_until.is_some(), "the tenth wrong current password locks the account");
        assert_eq!(history_rows(&app.db, "lock"), 1);
        assert_eq!(change("a long enough passphrase").await.status().as_u16(), 422, "the lock blocks the change");
        let hash: String = users::table.find(id).select(users::password_hash).first(&mut app.db.migrated()).unwrap();
        assert!(ohgov::accounts::secrets::verify_password("a long enough passphrase", &hash), "unchanged");
    }
);

fn history_rows(db: &TestDb, action: &str) -> i64 {
    history::table.filter(history::action.eq(action)).count().get_result(&mut db.migrated()).unwrap()
}

#[actix_web::test]
async fn the_session_cookie_is_secure_when_asked() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let db = TestDb::sqlite_with(support::Seed::Catalogue);
    let mut settings = db.settings();
    settings.secure_cookies = true;
    let app = support::TestApp::spawn_with(db, settings).await;
    add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
    let response = post_sign_in(&app, "jo@northshire.nhs.uk", "a long enough passphrase").await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
}

on_both_backends!(
    one_address_guessing_across_accounts_is_throttled,
    db | db | {
        use ohgov::accounts::model::{SignInRefusal, ADDRESS_FAILURE_LIMIT};
        add_user(&db, "jo@northshire.nhs.uk", "a long enough passphrase");
        let mut conn = db.migrated();
        let now = chrono::Utc::now().naive_utc();
        for n in 0..ADDRESS_FAILURE_LIMIT {
            // Spread over many made-up accounts, so no account lock comes into it.
            let outcome = ohgov::accounts::store::sign_in(
                &mut conn,
                &format!("guess{n}@example.org"),
                "wrong",
                "203.0.113.9",
                now,
            )
            .unwrap();
            assert_eq!(outcome, Err(SignInRefusal::BadCredentials));
        }
        let throttled = ohgov::accounts::store::sign_in(
            &mut conn,
            "jo@northshire.nhs.uk",
            "a long enough passphrase",
            "203.0.113.9",
            now,
        )
        .unwrap();
        assert_eq!(throttled, Err(SignInRefusal::AddressThrottled));
        // Another address is unaffected, and the window passes.
        let elsewhere = ohgov::accounts::store::sign_in(
            &mut conn,
            "jo@northshire.nhs.uk",
            "a long enough passphrase",
            "198.51.100.7",
            now,
        )
        .unwrap();
        assert!(elsewhere.is_ok());
        let later = now + chrono::Duration::minutes(16);
        let after_window = ohgov::accounts::store::sign_in(
            &mut conn,
            "jo@northshire.nhs.uk",
            "a long enough passphrase",
            "203.0.113.9",
            later,
        )
        .unwrap();
        assert!(after_window.is_ok());
    }
);

#[test]
fn user_add_at_a_terminal_generates_a_password_and_prints_it_once() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    // `script` runs the command with a pseudo-terminal as its standard input.
    let db = TestDb::sqlite_with(support::Seed::Migrated);
    let command = format!(
        "{} user add --email term@northshire.nhs.uk --name 'Terry Minal' --database-url {}",
        env!("CARGO_BIN_EXE_ohgov"),
        db.url
    );
    let Ok(output) = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
        .output()
    else {
        eprintln!("no `script` command here; the terminal case is not exercised");
        return;
    };
    let out = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    assert!(output.status.success(), "{out}");
    let password =
        out.lines().find_map(|l| l.strip_prefix("password: ")).expect("a generated password is printed").trim();
    assert_eq!(password.len(), 20);
    use ohgov::db::schema::users;
    let hash: String = users::table
        .filter(users::email.eq("term@northshire.nhs.uk"))
        .select(users::password_hash)
        .first(&mut db.migrated())
        .unwrap();
    assert!(ohgov::accounts::secrets::verify_password(password, &hash));
    assert!(!hash.contains(password), "only the hash is kept");
}

#[actix_web::test]
async fn a_session_unused_for_longer_than_the_idle_limit_is_ended() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let db = TestDb::sqlite_with(support::Seed::Catalogue);
    let mut settings = db.settings();
    settings.session_idle_seconds = 1;
    let app = support::TestApp::spawn_with(db, settings).await;
    add_user(&app.db, "jo@northshire.nhs.uk", "a long enough passphrase");
    let signed_in = post_sign_in(&app, "jo@northshire.nhs.uk", "a long enough passphrase").await;
    assert_eq!(signed_in.status().as_u16(), 303);
    // Replay the cookie by hand, as a copied cookie would be: a browser would drop it at its
    // Max-Age, so only the server's own last-seen check can end it.
    let cookie = signed_in.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let replay = || {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        client.get(format!("{}/account", app.address)).header("cookie", cookie.clone()).send()
    };
    assert_eq!(replay().await.unwrap().status().as_u16(), 200, "in use: still signed in");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let idle = replay().await.unwrap();
    assert_eq!(idle.status().as_u16(), 303, "idle too long: sent to sign in");
    assert_eq!(idle.headers()["location"], "/sign-in?next=%2Faccount");
}

/// The readable providers as they were found before the query asked for them: every provider,
/// each judged by the access rule.
fn readable_by_judging_every_provider(
    conn: &mut ohgov::db::DbConnection,
    user_id: ohgov::db::UserId,
    today: chrono::NaiveDate,
) -> Vec<ohgov::accounts::store::ProviderSummary> {
    use ohgov::accounts::access::{decide, Access, Capability};
    let (held, contracts) = ohgov::accounts::store::access_facts(conn, user_id).unwrap();
    let providers: Vec<ohgov::accounts::store::ProviderSummary> = organisations::table
        .filter(organisations::kind.eq(ohgov::accounts::OrganisationKind::Provider))
        .select((
            organisations::id,
            organisations::name,
            organisations::code,
            organisations::organisation_type,
            organisations::sites,
        ))
        .order((organisations::name, organisations::id))
        .load(conn)
        .unwrap();
    providers
        .into_iter()
        .filter(|p| decide(&held, &contracts, p.id, Capability::ReadAssessment, today) == Access::Allowed)
        .collect()
}

on_both_backends!(
    readable_providers_are_those_the_access_rule_allows_for_every_role,
    db | db | {
        use ohgov::accounts::model::{OrganisationInput, UserInput};
        use ohgov::accounts::store::{self, Grant};
        use ohgov::accounts::{NewContract, Role};
        use ohgov::db::ProviderId;
        let mut conn = db.migrated();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let days = |n: i64| today + chrono::Duration::days(n);
        let mut organisation = |kind: &str, name: &str| {
            let input = OrganisationInput { kind: kind.into(), name: name.into(), ..Default::default() };
            store::create_organisation(&mut conn, None, &input.parse().unwrap()).unwrap()
        };
        let [north, south, east, west] =
            ["North OH", "South OH", "East OH", "West OH"].map(|n| organisation("provider", n));
        let trust = organisation("commissioner", "Riverside Trust");
        let other_trust = organisation("commissioner", "Hillside ICB");
        let contract = |conn: &mut ohgov::db::DbConnection, commissioner_id, provider_id, starts_on, ends_on| {
            let c = NewContract {
                commissioner_id,
                provider_id: ProviderId(provider_id),
                starts_on,
                ends_on,
                services: vec![],
            };
            store::create_contract(conn, None, &c).unwrap();
        };
        contract(&mut conn, trust, north, days(-100), None);
        contract(&mut conn, trust, south, days(-400), Some(days(-1)));
        contract(&mut conn, trust, east, days(1), None);
        contract(&mut conn, trust, west, days(-30), Some(today));
        contract(&mut conn, other_trust, south, days(-10), None);
        let mut n = 0;
        let mut user = |conn: &mut ohgov::db::DbConnection, grants: &[(i32, Role, Option<chrono::NaiveDate>)]| {
            n += 1;
            let input = UserInput {
                email: format!("user{n}@example.nhs.uk"),
                name: format!("User {n}"),
                password: "a long enough passphrase".into(),
                is_admin: n == 1,
            };
            let id = store::create_user(conn, None, &input.parse().unwrap(), None).unwrap();
            for (organisation_id, role, expires_on) in grants {
                store::add_membership(
                    conn,
                    None,
                    id,
                    Grant { organisation_id: *organisation_id, role: *role, expires_on: *expires_on },
                )
                .unwrap();
            }
            id
        };
        let people = [
            ("an administrator with no membership", user(&mut conn, &[]), vec![]),
            ("a manager", user(&mut conn, &[(north, Role::Manager, None)]), vec![north]),
            ("a clinical director", user(&mut conn, &[(south, Role::ClinicalDirector, None)]), vec![south]),
            (
                "a clinician of two",
                user(&mut conn, &[(north, Role::Clinician, None), (east, Role::Clinician, None)]),
                vec![north, east],
            ),
            ("a viewer", user(&mut conn, &[(west, Role::Viewer, None)]), vec![west]),
            (
                "a commissioner: current, ended, not yet begun, and last-day contracts",
                user(&mut conn, &[(trust, Role::Commissioner, None)]),
                vec![north, west],
            ),
            (
                "a commissioner of two trusts",
                user(&mut conn, &[(trust, Role::Commissioner, None), (other_trust, Role::Commissioner, None)]),
                vec![north, south, west],
            ),
            ("an assessor on their last day", user(&mut conn, &[(east, Role::Assessor, Some(today))]), vec![east]),
            ("an expired assessor", user(&mut conn, &[(west, Role::Assessor, Some(days(-1)))]), vec![]),
            (
                "an expired assessor who is also a viewer elsewhere",
                user(&mut conn, &[(west, Role::Assessor, Some(days(-1))), (south, Role::Viewer, None)]),
                vec![south],
            ),
        ];
        for (who, user_id, expected) in people {
            let found = store::readable_providers(&mut conn, user_id, today).unwrap();
            assert_eq!(
                found,
                readable_by_judging_every_provider(&mut conn, user_id, today),
                "{who}: the same as before"
            );
            let mut ids: Vec<i32> = found.iter().map(|p| p.id.0).collect();
            let mut expected = expected;
            ids.sort_unstable();
            expected.sort_unstable();
            assert_eq!(ids, expected, "{who}");
        }
    }
);
