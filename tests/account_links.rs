//! Accounts by email, through the real application and the store on both backends: invitation and
//! reset links that work once and not after they expire, the forgot-password page that answers
//! alike for every address and is rate-limited, a manager's invitations into their own provider
//! only, the notices of a password change and a new API token, and `ohgov user add --invite`. The
//! messages are read from the outbox, where they are queued with the change.

mod support;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use ohgov::accounts::link_routes::{PASSWORD_SET, RESET_ANSWER};
use ohgov::accounts::links::INVITED_PASSWORD_HASH;
use ohgov::db::schema::{account_links, history, memberships, outbox_messages, users};
use ohgov::db::UserId;
use support::{TestApp, TestDb, PASSWORD};

/// A queued message: its key, kind, recipient, subject and plain-text body.
#[derive(Debug, Clone, Queryable)]
struct Queued {
    key: String,
    kind: String,
    to: String,
    subject: String,
    body: String,
}

fn outbox(db: &TestDb) -> Vec<Queued> {
    outbox_messages::table
        .select((
            outbox_messages::message_key,
            outbox_messages::kind,
            outbox_messages::recipient_email,
            outbox_messages::subject,
            outbox_messages::body_text,
        ))
        .order(outbox_messages::id)
        .load(&mut db.migrated())
        .unwrap()
}

fn of_kind(db: &TestDb, kind: &str) -> Vec<Queued> {
    outbox(db).into_iter().filter(|m| m.kind == kind).collect()
}

/// The link's path in a message's body (`/invitation/ohgov_…`).
fn link_in(body: &str, prefix: &str) -> String {
    let start = body.find(prefix).unwrap_or_else(|| panic!("{prefix} in {body}"));
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// An application whose clock the test moves.
async fn app_with_clock(db: TestDb) -> (TestApp, ohgov::clock::Clock) {
    let mut settings = db.settings();
    let clock = ohgov::clock::Clock::fixed_at(Utc::now());
    settings.clock = clock.clone();
    (TestApp::spawn_with(db, settings).await, clock)
}

/// GET `path` in `client`: the status and the page.
async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// POSTs `fields` to `path` with the form token of the page at `path` (or of `/sign-in` when that
/// page carries none): the status, the location and the body.
async fn post(app: &TestApp, client: &reqwest::Client, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let (_, page) = get(app, client, "/sign-in").await;
    let token = support::form_token(&page);
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    let response = client.post(format!("{}{path}", app.address)).form(&form).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
    (status, location, response.text().await.unwrap())
}

/// Whether `email` signs in with `password` (in a fresh browser).
async fn signs_in(app: &TestApp, email: &str, password: &str) -> bool {
    let client = TestApp::new_browser();
    let (status, _, _) = post(app, &client, "/sign-in", &[("email", email), ("password", password)]).await;
    status == 303
}

fn password_hash(db: &TestDb, email: &str) -> String {
    users::table.filter(users::email.eq(email)).select(users::password_hash).first(&mut db.migrated()).unwrap()
}

const NEW_PASSWORD: &str = "copper kettle meadow lantern";

on_both_backends!(
    an_invitation_link_works_once_and_not_after_72_hours,
    catalogue_db | db | {
        actix_web::rt::System::new().block_on(async move {
            let service = support::service(&mut db.migrated(), "Northshire OH Service", "north");
            let (app, clock) = app_with_clock(db).await;
            let p = service.provider.0;
            let (manager, _) = support::browser_signed_in(&app, "manager@north.example", PASSWORD).await;
            let invite = format!("/providers/{p}/invite");
            let fields = [("name", "Sam Patel"), ("email", "Sam.Patel@North.example"), ("role", "clinician")];
            let (status, location, _) = post(&app, &manager, &invite, &fields).await;
            assert_eq!((status, location.as_str()), (303, invite.as_str()));
            let (_, page) = get(&app, &manager, &invite).await;
            assert!(page.contains("Invitation sent to sam.patel@north.example"), "the confirmation");
            assert!(page.contains("not yet accepted"), "the invitation is outstanding");

            let sent = of_kind(&app.db, "invitation");
            assert_eq!(sent.len(), 1);
            assert_eq!(sent[0].to, "sam.patel@north.example");
            assert!(sent[0].body.contains("Manager of Northshire OH Service has invited you"), "{}", sent[0].body);
            let sam: i32 = users::table
                .filter(users::email.eq("sam.patel@north.example"))
                .select(users::id)
                .first(&mut app.db.migrated())
                .unwrap();
            assert!(sent[0].key.starts_with(&format!("invitation:user-{sam}:")), "{}", sent[0].key);
            assert_eq!(password_hash(&app.db, "sam.patel@north.example"), INVITED_PASSWORD_HASH);
            assert!(!signs_in(&app, "sam.patel@north.example", "").await, "no password until one is set");
            let stored: String =
                account_links::table.select(account_links::token_sha256).first(&mut app.db.migrated()).unwrap();
            let link = link_in(&sent[0].body, "/invitation/");
            assert!(!stored.is_empty() && !link.contains(&stored), "only the token's hash is stored");

            // The link's page, then a password refused at its fields, which sets nothing.
            let guest = TestApp::new_browser();
            let (status, page) = get(&app, &guest, &link).await;
            assert_eq!(status, 200);
            assert!(page.contains("Set your password") && page.contains("Sam Patel"));
            let (status, _, page) =
                post(&app, &guest, &link, &[("new_password", NEW_PASSWORD), ("confirm_password", "other")]).await;
            assert_eq!(status, 422);
            assert!(page.contains("The passwords do not match"));
            let (status, _, page) =
                post(&app, &guest, &link, &[("new_password", "Sam Patel"), ("confirm_password", "Sam Patel")]).await;
            assert_eq!(status, 422, "the house's password rules");
            assert!(page.contains("at least 12 characters"));
            assert_eq!(password_hash(&app.db, "sam.patel@north.example"), INVITED_PASSWORD_HASH);

            let (status, location, _) =
                post(&app, &guest, &link, &[("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)]).await;
            assert_eq!((status, location.as_str()), (303, "/sign-in"));
            let (_, page) = get(&app, &guest, "/sign-in").await;
            assert!(page.contains(PASSWORD_SET));
            assert!(signs_in(&app, "sam.patel@north.example", NEW_PASSWORD).await, "the password set signs in");
            let role: String = memberships::table
                .filter(memberships::user_id.eq(sam))
                .select(memberships::role)
                .first(&mut app.db.migrated())
                .unwrap();
            assert_eq!(role, "clinician");

            // The second use explains itself and changes nothing.
            let hash = password_hash(&app.db, "sam.patel@north.example");
            let (status, page) = get(&app, &guest, &link).await;
            assert_eq!(status, 410);
            assert!(page.contains("This link was used on"), "{page}");
            assert!(page.contains("ask whoever invited you"));
            let again = [("new_password", "another long passphrase"), ("confirm_password", "another long passphrase")];
            let (status, _, _) = post(&app, &guest, &link, &again).await;
            assert_eq!(status, 410);
            assert_eq!(password_hash(&app.db, "sam.patel@north.example"), hash, "nothing changed");
            let actions: Vec<String> = history::table
                .filter(history::action.eq_any(["use", "accept_invitation"]))
                .select(history::action)
                .order(history::id)
                .load(&mut app.db.migrated())
                .unwrap();
            assert_eq!(actions, ["use", "accept_invitation"]);

            // A second invitation, opened after 72 hours, has expired and sets nothing.
            let fields = [("name", "Kit Moreno"), ("email", "kit@north.example"), ("role", "viewer")];
            assert_eq!(post(&app, &manager, &invite, &fields).await.0, 303);
            let link = link_in(&of_kind(&app.db, "invitation")[1].body, "/invitation/");
            clock.set(Utc::now() + Duration::hours(72) + Duration::minutes(1));
            let (status, page) = get(&app, &guest, &link).await;
            assert_eq!(status, 410);
            assert!(page.contains("This link expired on"), "{page}");
            let (status, _, _) =
                post(&app, &guest, &link, &[("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)]).await;
            assert_eq!(status, 410);
            assert_eq!(password_hash(&app.db, "kit@north.example"), INVITED_PASSWORD_HASH, "nothing set");
            // The manager sees it expired and sends it again: a new link works, the old one says
            // it was replaced.
            let (manager, _) = support::browser_signed_in(&app, "manager@north.example", PASSWORD).await;
            let (_, page) = get(&app, &manager, &invite).await;
            assert!(page.contains("the link expired"), "{page}");
            assert_eq!(post(&app, &manager, &invite, &fields).await.0, 303);
            let (_, page) = get(&app, &manager, &invite).await;
            assert!(page.contains("A new invitation was sent to kit@north.example"));
            let sent = of_kind(&app.db, "invitation");
            assert_eq!(sent.len(), 3);
            assert_eq!(get(&app, &guest, &link_in(&sent[2].body, "/invitation/")).await.0, 200);
            let (status, page) = get(&app, &guest, &link).await;
            assert_eq!(status, 410);
            assert!(page.contains("A newer link was sent on"), "{page}");
            let invitations: i64 = history::table
                .filter(history::entity.eq("account_link"))
                .filter(history::action.eq("create"))
                .count()
                .get_result(&mut app.db.migrated())
                .unwrap();
            assert_eq!(invitations, 3, "each invitation sent is in the trail");
            let (status, page) = get(&app, &guest, "/invitation/ohgov_never_sent").await;
            assert_eq!(status, 404);
            assert!(page.contains("This link is not one we sent"));
        });
    }
);

on_both_backends!(
    a_reset_link_works_once_and_not_after_an_hour,
    catalogue_db | db | {
        actix_web::rt::System::new().block_on(async move {
            let service = support::service(&mut db.migrated(), "Northshire OH Service", "north");
            let (app, clock) = app_with_clock(db).await;
            let email = "viewer@north.example";
            // A locked account with failed sign-ins: a reset clears both.
            diesel::update(users::table.find(service.viewer))
                .set((
                    users::failed_sign_ins.eq(4),
                    users::locked_until.eq(Some(Utc::now().naive_utc() + Duration::minutes(10))),
                ))
                .execute(&mut app.db.migrated())
                .unwrap();
            let (signed_in, _) = support::browser_signed_in(&app, "manager@north.example", PASSWORD).await;

            let guest = TestApp::new_browser();
            let (status, location, _) =
                post(&app, &guest, "/forgot-password", &[("email", "Viewer@North.example")]).await;
            assert_eq!((status, location.as_str()), (303, "/forgot-password"));
            let sent = of_kind(&app.db, "password_reset");
            assert_eq!(sent.len(), 1);
            assert_eq!(sent[0].to, email);
            let link = link_in(&sent[0].body, "/reset-password/");

            // A signed-in person may open a link too.
            let (status, page) = get(&app, &signed_in, &link).await;
            assert_eq!(status, 200);
            assert!(page.contains("Set a new password"));
            let epoch: i32 =
                users::table.find(service.viewer).select(users::session_epoch).first(&mut app.db.migrated()).unwrap();
            let (status, location, _) =
                post(&app, &guest, &link, &[("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)]).await;
            assert_eq!((status, location.as_str()), (303, "/sign-in"));
            let (failed, locked, new_epoch): (i32, Option<chrono::NaiveDateTime>, i32) = users::table
                .find(service.viewer)
                .select((users::failed_sign_ins, users::locked_until, users::session_epoch))
                .first(&mut app.db.migrated())
                .unwrap();
            assert_eq!((failed, locked, new_epoch), (0, None, epoch + 1), "cleared, and every session ended");
            assert!(signs_in(&app, email, NEW_PASSWORD).await);
            assert!(!signs_in(&app, email, PASSWORD).await, "the old password no longer works");
            let changed = of_kind(&app.db, "password_changed");
            assert_eq!(changed.len(), 1, "the reset is told to the owner");
            assert_eq!(changed[0].to, email);
            assert_eq!(changed[0].key, format!("password_changed:user-{}:epoch-{}", service.viewer, epoch + 1));
            assert!(
                changed[0].body.contains("/forgot-password") && changed[0].body.contains("tell your administrator")
            );

            let (status, page) = get(&app, &guest, &link).await;
            assert_eq!(status, 410);
            assert!(page.contains("This link was used on") && page.contains("href=\"/forgot-password\""));

            // Six minutes on (past the one-email-in-five-minutes limit), a new link; after an hour
            // it has expired and sets nothing.
            let start = Utc::now();
            clock.set(start + Duration::minutes(6));
            assert_eq!(post(&app, &guest, "/forgot-password", &[("email", email)]).await.0, 303);
            let sent = of_kind(&app.db, "password_reset");
            assert_eq!(sent.len(), 2);
            let link = link_in(&sent[1].body, "/reset-password/");
            assert_eq!(get(&app, &guest, &link).await.0, 200);
            clock.set(start + Duration::minutes(6 + 60));
            let (status, page) = get(&app, &guest, &link).await;
            assert_eq!(status, 410);
            assert!(page.contains("This link expired on"), "{page}");
            let hash = password_hash(&app.db, email);
            let other = [("new_password", "another long passphrase"), ("confirm_password", "another long passphrase")];
            assert_eq!(post(&app, &guest, &link, &other).await.0, 410);
            assert_eq!(password_hash(&app.db, email), hash);
        });
    }
);

/// The forgot-password page in `client`, its form token blanked.
async fn forgot_page_after(app: &TestApp, client: &reqwest::Client) -> String {
    let (_, page) = get(app, client, "/forgot-password").await;
    page.replace(&support::form_token(&page), "TOKEN")
}

on_both_backends!(
    the_forgot_page_answers_alike_and_is_rate_limited,
    catalogue_db | db | {
        actix_web::rt::System::new().block_on(async move {
            let service = support::service(&mut db.migrated(), "Northshire OH Service", "north");
            let (app, clock) = app_with_clock(db).await;
            let start = Utc::now();
            let known = TestApp::new_browser();
            let unknown = TestApp::new_browser();
            let answer = post(&app, &known, "/forgot-password", &[("email", "manager@north.example")]).await;
            let other = post(&app, &unknown, "/forgot-password", &[("email", "nobody@north.example")]).await;
            assert_eq!(answer, other, "the same answer");
            assert_eq!((answer.0, answer.1.as_str()), (303, "/forgot-password"));
            let known_page = forgot_page_after(&app, &known).await;
            let unknown_page = forgot_page_after(&app, &unknown).await;
            assert!(known_page.contains(RESET_ANSWER));
            assert_eq!(known_page, unknown_page, "byte for byte, apart from the form token");
            let sent = of_kind(&app.db, "password_reset");
            assert_eq!(sent.len(), 1, "a message for the known address only");
            assert_eq!(sent[0].to, "manager@north.example");
            let requested: Vec<String> = history::table
                .filter(history::entity.eq("account_link"))
                .select(history::changes)
                .load(&mut app.db.migrated())
                .unwrap();
            assert_eq!(requested.len(), 1, "the trail records the request for the account");
            let first_link = link_in(&sent[0].body, "/reset-password/");
            let token = first_link.trim_start_matches("/reset-password/");
            assert!(!requested[0].contains(token), "never the token");

            // The same account again within five minutes: the same answer, and no second email.
            assert_eq!(post(&app, &known, "/forgot-password", &[("email", "manager@north.example")]).await.0, 303);
            assert_eq!(of_kind(&app.db, "password_reset").len(), 1);
            // A malformed address is refused at its field and not counted.
            let (status, _, page) = post(&app, &unknown, "/forgot-password", &[("email", "nobody@")]).await;
            assert_eq!(status, 422);
            assert!(page.contains("Enter an email address in the correct format"));
            // Five requests from this address in 15 minutes; the sixth is refused, saying when to
            // try again.
            for _ in 0..2 {
                assert_eq!(post(&app, &unknown, "/forgot-password", &[("email", "nobody@north.example")]).await.0, 303);
            }
            let response = {
                let (_, page) = get(&app, &unknown, "/forgot-password").await;
                let token = support::form_token(&page);
                unknown
                    .post(format!("{}/forgot-password", app.address))
                    .form(&[("csrf_token", token.as_str()), ("email", "manager@north.example")])
                    .send()
                    .await
                    .unwrap()
            };
            assert_eq!(response.status().as_u16(), 429);
            assert!(response.headers().get("retry-after").is_some());
            let page = response.text().await.unwrap();
            assert!(page.contains("Try again after"), "{page}");
            assert_eq!(of_kind(&app.db, "password_reset").len(), 1, "nothing sent when refused");

            // Sixteen minutes on, the address may ask again; the account's newest link replaces
            // the first, which then explains itself.
            clock.set(start + Duration::minutes(16));
            assert_eq!(post(&app, &known, "/forgot-password", &[("email", "manager@north.example")]).await.0, 303);
            let sent = of_kind(&app.db, "password_reset");
            assert_eq!(sent.len(), 2);
            assert_ne!(sent[0].key, sent[1].key);
            let (status, page) = get(&app, &known, &first_link).await;
            assert_eq!(status, 410);
            assert!(page.contains("A newer link was sent on"), "{page}");
            assert_eq!(get(&app, &known, &link_in(&sent[1].body, "/reset-password/")).await.0, 200);
            let _ = service;
        });
    }
);

on_both_backends!(
    a_manager_invites_into_their_own_provider_only_and_not_as_clinical_director,
    app | app | {
        let (north, south) = {
            let mut conn = app.db.migrated();
            (
                support::service(&mut conn, "Northshire OH Service", "north"),
                support::service(&mut conn, "Southvale Occupational Health Ltd", "south"),
            )
        };
        let (manager, _) = support::browser_signed_in(&app, "manager@north.example", PASSWORD).await;
        let (p, q) = (north.provider.0, south.provider.0);
        let (status, page) = get(&app, &manager, &format!("/providers/{p}")).await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("href=\"/providers/{p}/invite\"")), "linked for a manager");
        let (viewer, _) = support::browser_signed_in(&app, "viewer@north.example", PASSWORD).await;
        let (_, page) = get(&app, &viewer, &format!("/providers/{p}")).await;
        assert!(!page.contains("/invite\""), "not linked for a viewer");

        let users_before: i64 = users::table.count().get_result(&mut app.db.migrated()).unwrap();
        let fields = [("name", "Sam Patel"), ("email", "sam@south.example"), ("role", "clinician")];
        assert_eq!(get(&app, &manager, &format!("/providers/{q}/invite")).await.0, 404, "as the guard answers");
        assert_eq!(post(&app, &manager, &format!("/providers/{q}/invite"), &fields).await.0, 404);
        let director = [("name", "Dr Sam Patel"), ("email", "sam@north.example"), ("role", "clinical_director")];
        let (status, _, page) = post(&app, &manager, &format!("/providers/{p}/invite"), &director).await;
        assert_eq!(status, 422);
        assert!(page.contains("Choose manager, clinician or viewer"));
        let users_after: i64 = users::table.count().get_result(&mut app.db.migrated()).unwrap();
        assert_eq!(users_after, users_before, "nothing written");
        assert!(outbox(&app.db).is_empty(), "nothing queued");

        // An address that already has an account gets the role and no link; a second time is refused.
        let existing = [("name", "Viewer"), ("email", "viewer@south.example"), ("role", "viewer")];
        let (status, _, _) = post(&app, &manager, &format!("/providers/{p}/invite"), &existing).await;
        assert_eq!(status, 303);
        let (_, page) = get(&app, &manager, &format!("/providers/{p}/invite")).await;
        assert!(page.contains("already had an ohgov account, so no invitation was sent"), "{page}");
        assert!(outbox(&app.db).is_empty(), "no link for an existing account");
        let held: i64 = memberships::table
            .filter(memberships::user_id.eq(south.viewer))
            .filter(memberships::organisation_id.eq(p))
            .count()
            .get_result(&mut app.db.migrated())
            .unwrap();
        assert_eq!(held, 1);
        let (status, _, page) = post(&app, &manager, &format!("/providers/{p}/invite"), &existing).await;
        assert_eq!(status, 422);
        assert!(page.contains("already has a role in Northshire OH Service"));
    }
);

on_both_backends!(
    an_administrator_invites_by_default_and_sees_it_outstanding,
    app | app | {
        let mut conn = app.db.migrated();
        let admin = ohgov::accounts::model::UserInput {
            email: "admin@example.nhs.uk".into(),
            name: "Admin".into(),
            password: PASSWORD.into(),
            is_admin: true,
        };
        ohgov::accounts::store::create_user(&mut conn, None, &admin.parse().unwrap(), None).unwrap();
        let (client, _) = support::browser_signed_in(&app, "admin@example.nhs.uk", PASSWORD).await;
        let (status, page) = get(&app, &client, "/admin/users/new").await;
        assert_eq!(status, 200);
        assert!(page.contains("value=\"invite\" checked"), "an invitation is the default");
        let (status, location, _) =
            post(&app, &client, "/admin/users", &[("name", "Jo Bloggs"), ("email", "jo@example.nhs.uk")]).await;
        assert_eq!((status, location.as_str()), (303, "/admin"));
        assert_eq!(password_hash(&app.db, "jo@example.nhs.uk"), INVITED_PASSWORD_HASH);
        let sent = of_kind(&app.db, "invitation");
        assert_eq!(sent.len(), 1);
        assert!(sent[0].body.contains("Admin has invited you"));
        let (_, page) = get(&app, &client, "/admin").await;
        assert!(page.contains("Invitation sent to jo@example.nhs.uk"));
        assert!(page.contains("not yet accepted"), "the administrator sees it outstanding");
    }
);

on_both_backends!(
    notices_are_queued_with_their_change_and_not_without_it,
    db | db | {
        let mut conn = db.migrated();
        let user = ohgov::accounts::model::UserInput {
            email: "jo@example.nhs.uk".into(),
            name: "Jo Bloggs".into(),
            password: PASSWORD.into(),
            is_admin: false,
        };
        let jo = ohgov::accounts::store::create_user(&mut conn, None, &user.parse().unwrap(), None).unwrap();
        let now = Utc::now().naive_utc();
        let refused =
            ohgov::accounts::store::change_password(&mut conn, jo, "not the password", NEW_PASSWORD, now, None);
        assert!(refused.is_err());
        assert!(outbox(&db).is_empty(), "a failed change queues nothing");
        let epoch = ohgov::accounts::store::change_password(&mut conn, jo, PASSWORD, NEW_PASSWORD, now, None).unwrap();
        let sent = outbox(&db);
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].kind.as_str(), sent[0].to.as_str()), ("password_changed", "jo@example.nhs.uk"));
        assert_eq!(sent[0].key, format!("password_changed:user-{jo}:epoch-{epoch}"));
        assert_eq!(sent[0].subject, "Your ohgov password was changed");

        ohgov::accounts::store::create_token(&mut conn, None, "jo@example.nhs.uk").unwrap();
        let token_id: i32 =
            ohgov::db::schema::api_tokens::table.select(ohgov::db::schema::api_tokens::id).first(&mut conn).unwrap();
        let sent = outbox(&db);
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[1].kind, "api_token_created");
        assert_eq!(sent[1].key, format!("api_token_created:token-{token_id}"));
        assert_eq!(sent[1].to, "jo@example.nhs.uk");
        let _: UserId = jo;
    }
);

on_both_backends!(
    user_add_invite_queues_an_invitation,
    db | db | {
        let ohgov = |args: &[&str]| {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
                .args(args)
                .args(["--database-url", &db.url])
                .env_remove("DATABASE_URL")
                .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
                .env("OHGOV_BASE_URL", "https://ohgov.example.nhs.uk/")
                .stdin(std::process::Stdio::null())
                .output()
                .expect("run ohgov");
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            String::from_utf8_lossy(&output.stdout).into_owned()
        };
        let provider = ohgov(&["org", "add", "--kind", "provider", "--name", "Northshire OH Service"]);
        let provider = provider.trim();
        let added = ohgov(&[
            "user",
            "add",
            "--invite",
            "--email",
            "Jo@Northshire.nhs.uk",
            "--name",
            "Jo Bloggs",
            "--org",
            provider,
            "--role",
            "manager",
        ]);
        let mut lines = added.lines();
        let id: i32 = lines.next().unwrap().parse().expect("the id first");
        assert_eq!(lines.next(), Some("invitation queued for jo@northshire.nhs.uk"));
        assert_eq!(password_hash(&db, "jo@northshire.nhs.uk"), INVITED_PASSWORD_HASH);
        let sent = of_kind(&db, "invitation");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to, "jo@northshire.nhs.uk");
        assert!(sent[0].key.starts_with(&format!("invitation:user-{id}:")));
        assert!(sent[0].body.contains("https://ohgov.example.nhs.uk/invitation/ohgov_"), "{}", sent[0].body);
        assert!(sent[0].body.contains("for Northshire OH Service"));
    }
);
