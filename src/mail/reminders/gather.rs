//! What is due on a day, one source per kind, each read from its area's store with the queries
//! that ask for the rows it needs. The people's reminders follow workforce's own judgement (each
//! person's issues); nothing here re-derives a regulator's rule.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::rules;
use super::Reminder;
use crate::accounts::model::Role;
use crate::accounts::reminders::{self as choices, Account};
use crate::db::{DbConnection, ProviderId, StoreResult};
use crate::outbox::{MessageKind, Recipient};
use crate::workforce::rules::Issue;

/// A day as subjects write it: "30 Jan 2027", as the `uk_date` filter does.
fn uk(day: NaiveDate) -> String {
    day.format("%-d %b %Y").to_string()
}

fn recipient(account: &Account) -> Recipient {
    Recipient { email: account.email.clone(), name: account.name.clone(), user: Some(account.id) }
}

/// Who works for whom, and the providers' names: read once for the day.
struct People {
    names: HashMap<ProviderId, String>,
    managers: HashMap<ProviderId, Vec<Recipient>>,
    directors: HashMap<ProviderId, Vec<Recipient>>,
}

impl People {
    fn read(conn: &mut DbConnection, today: NaiveDate) -> StoreResult<Self> {
        let names = choices::provider_names(conn)?.into_iter().collect();
        let (mut managers, mut directors): (HashMap<_, Vec<_>>, HashMap<_, Vec<_>>) = Default::default();
        for member in choices::provider_members(conn, &[Role::Manager, Role::ClinicalDirector], today)? {
            let list = if member.role == Role::Manager { &mut managers } else { &mut directors };
            list.entry(member.provider).or_default().push(recipient(&member.account));
        }
        Ok(People { names, managers, directors })
    }

    fn name(&self, provider: ProviderId) -> String {
        self.names.get(&provider).cloned().unwrap_or_default()
    }

    fn managers(&self, provider: ProviderId) -> &[Recipient] {
        self.managers.get(&provider).map_or(&[], Vec::as_slice)
    }

    fn directors(&self, provider: ProviderId) -> &[Recipient] {
        self.directors.get(&provider).map_or(&[], Vec::as_slice)
    }
}

/// What one reminder is about, before it is addressed: the same for each of its recipients but for
/// the key's last part, `about_self` and `why`.
struct About {
    kind: MessageKind,
    provider: ProviderId,
    /// The key's subject and episode: `staff-17`, `60:2027-01-30`.
    about: String,
    episode: String,
    subject: String,
    path: String,
    context: tera::Context,
}

/// Addresses `about` to each recipient, the person (if any) first, saying why each gets it.
fn address(
    out: &mut Vec<Reminder>,
    people: &People,
    about: &About,
    person: Option<Recipient>,
    others: &[Recipient],
    why_others: &str,
) {
    let provider_name = people.name(about.provider);
    for (to, own) in rules::recipients(person, others) {
        let mut context = about.context.clone();
        context.insert("about_self", &own);
        context.insert("provider_name", &provider_name);
        context.insert("path", &about.path);
        context.insert("can_turn_off", &about.kind.reminder().is_some());
        let why = if own {
            format!("it is about your own record at {provider_name}")
        } else {
            format!("{why_others} {provider_name}")
        };
        context.insert("why", &why);
        out.push(Reminder {
            kind: about.kind,
            key: rules::key(about.kind, &about.about, &about.episode, &to),
            to,
            provider: Some(about.provider),
            provider_name: provider_name.clone(),
            subject: about.subject.clone(),
            template: about.kind.as_str(),
            context,
            path: about.path.clone(),
        });
    }
}

/// Every reminder due on `today`, each addressed to one person, by key (a reminder that two
/// sources would both give goes once).
pub fn due(conn: &mut DbConnection, today: NaiveDate) -> StoreResult<Vec<Reminder>> {
    let people = People::read(conn, today)?;
    let mut out = Vec::new();
    workforce(conn, today, &people, &mut out)?;
    evidence(conn, today, &people, &mut out)?;
    arrangements(conn, today, &people, &mut out)?;
    actions(conn, today, &people, &mut out)?;
    contradicted(conn, today, &people, &mut out)?;
    customer_reviews(conn, today, &people, &mut out)?;
    sign_offs(conn, &people, &mut out)?;
    let mut by_key: BTreeMap<String, Reminder> = BTreeMap::new();
    for reminder in out {
        by_key.entry(reminder.key.clone()).or_insert(reminder);
    }
    let mut found: Vec<Reminder> = by_key.into_values().collect();
    found.sort_by(|a, b| (a.provider, a.kind, &a.subject, &a.key).cmp(&(b.provider, b.kind, &b.subject, &b.key)));
    Ok(found)
}

/// Each person's registration, revalidation, appraisal, CPD and supervision, as workforce judges
/// them, to the person (their staff record's address, or their linked account's) and their
/// provider's managers.
fn workforce(conn: &mut DbConnection, today: NaiveDate, people: &People, out: &mut Vec<Reminder>) -> StoreResult<()> {
    let providers: Vec<ProviderId> = people.names.keys().copied().collect();
    let judged = crate::workforce::store::judge_for_providers(
        conn,
        &providers,
        today,
        crate::config::configured_supervision_days(),
    )?;
    let regulations = crate::workforce::store::regulations(conn)?;
    let lines: Vec<(ProviderId, crate::workforce::store::PersonLine)> = judged
        .into_iter()
        .flat_map(|(provider, lines)| lines.into_iter().map(move |line| (provider, line)))
        .filter(|(_, line)| !line.issues.is_empty())
        .collect();
    let linked: Vec<crate::db::UserId> = lines.iter().filter_map(|(_, l)| l.staff.user_id).collect();
    let by_id: HashMap<crate::db::UserId, Account> =
        choices::accounts_by_id(conn, &linked)?.into_iter().map(|a| (a.id, a)).collect();
    let emails: Vec<String> = lines.iter().filter_map(|(_, l)| l.staff.email.clone()).collect();
    let by_email = choices::accounts_by_email(conn, &emails)?;
    for (provider, line) in &lines {
        let staff = &line.staff;
        let account = staff
            .user_id
            .and_then(|id| by_id.get(&id))
            .or_else(|| staff.email.as_ref().and_then(|e| by_email.get(&e.trim().to_lowercase())));
        let email = staff.email.clone().filter(|e| !e.trim().is_empty()).or_else(|| account.map(|a| a.email.clone()));
        let person = email.map(|email| Recipient { email, name: staff.full_name.clone(), user: account.map(|a| a.id) });
        let name = &staff.full_name;
        let path = format!("/providers/{provider}/workforce/staff/{}", staff.id);
        let mut context = tera::Context::new();
        context.insert("person", name);
        let mut tell = |kind: MessageKind, episode: String, subject: String, context: tera::Context| {
            let about = About {
                kind,
                provider: *provider,
                about: format!("staff-{}", staff.id),
                episode,
                subject,
                path: path.clone(),
                context,
            };
            address(out, people, &about, person.clone(), people.managers(*provider), "you are a manager of");
        };
        let has = |issue: Issue| line.issues.contains(&issue);
        if let (true, Some(renewal)) = (has(Issue::RegistrationDue), staff.registration_renewal) {
            if let Some(threshold) = rules::threshold(renewal, today, rules::REGISTRATION_THRESHOLDS) {
                let mut context = context.clone();
                context.insert("date", &renewal);
                context.insert("days", &(renewal - today).num_days());
                tell(
                    MessageKind::RegistrationDue,
                    format!("{threshold}:{renewal}"),
                    format!("Registration due for renewal by {}: {name}", uk(renewal)),
                    context,
                );
            }
        }
        if let (true, Some(due)) = (has(Issue::RevalidationDue), staff.revalidation_due) {
            if let Some(threshold) = rules::threshold(due, today, rules::REVALIDATION_THRESHOLDS) {
                let mut context = context.clone();
                context.insert("date", &due);
                context.insert("days", &(due - today).num_days());
                tell(
                    MessageKind::RevalidationDue,
                    format!("{threshold}:{due}"),
                    format!("Revalidation due by {}: {name}", uk(due)),
                    context,
                );
            }
        }
        if has(Issue::AppraisalOverdue) {
            let since = staff.last_appraisal.or(staff.start_date);
            let mut context = context.clone();
            context.insert("since", &staff.last_appraisal);
            tell(
                MessageKind::AppraisalOverdue,
                since.map_or_else(|| "none".to_string(), |d| d.to_string()),
                format!("Appraisal overdue: {name}"),
                context,
            );
        }
        if has(Issue::CpdShort) {
            let rule = regulations.get(staff.regulator).map(|r| &r.rule);
            let facts = crate::workforce::store::person_facts(staff, &regulations, line.last_supervision);
            let cycle = rule.and_then(|rule| crate::workforce::rules::cpd_cycle(&facts, rule, today));
            let rolling = rule.and_then(|r| r.cpd_cycle) == Some(crate::workforce::rules::CpdCycle::RollingPeriods);
            let episode = rules::cpd_episode(cycle.map(|c| c.1), rolling, today);
            let mut context = context.clone();
            context.insert("cycle_end", &cycle.filter(|_| !rolling).map(|c| c.1));
            tell(MessageKind::CpdShort, episode.to_string(), format!("CPD short of the requirement: {name}"), context);
        }
        if has(Issue::SupervisionOverdue) {
            let since = line.last_supervision.or(staff.start_date);
            let mut context = context.clone();
            context.insert("since", &line.last_supervision);
            tell(
                MessageKind::SupervisionOverdue,
                since.map_or_else(|| "none".to_string(), |d| d.to_string()),
                format!("Clinical supervision overdue: {name}"),
                context,
            );
        }
    }
    Ok(())
}

/// Evidence whose review falls due within 30 days, or is overdue, to its owner. An item marked as
/// holding patient data is named by its number, not its title.
fn evidence(conn: &mut DbConnection, today: NaiveDate, people: &People, out: &mut Vec<Reminder>) -> StoreResult<()> {
    let until = today + chrono::Days::new(rules::EVIDENCE_REVIEW_WARNING_DAYS as u64);
    let items = crate::evidence::store::reviews_due_by(conn, until)?;
    let owners: Vec<crate::db::UserId> = items.iter().map(|i| i.owner).collect();
    let owners: HashMap<crate::db::UserId, Account> =
        choices::accounts_by_id(conn, &owners)?.into_iter().map(|a| (a.id, a)).collect();
    for item in items {
        let (Some(kind), Some(owner)) = (rules::evidence_review(item.review_due, today), owners.get(&item.owner))
        else {
            continue;
        };
        let title =
            if item.contains_patient_data { format!("evidence item {}", item.item_id) } else { item.title.clone() };
        let subject = match kind {
            MessageKind::EvidenceReviewOverdue => {
                format!("Evidence review overdue since {}: {title}", uk(item.review_due))
            }
            _ => format!("Evidence review due by {}: {title}", uk(item.review_due)),
        };
        let mut context = tera::Context::new();
        context.insert("title", &title);
        context.insert("date", &item.review_due);
        let about = About {
            kind,
            provider: item.provider_id,
            about: format!("series-{}", item.series_id),
            episode: item.review_due.to_string(),
            subject,
            path: format!("/providers/{}/evidence/{}", item.provider_id, item.item_id),
            context,
        };
        address(out, people, &about, None, &[recipient(owner)], "you own this evidence at");
    }
    Ok(())
}

/// Services delivered under an arrangement ending within 90 and 30 days, to the managers.
fn arrangements(
    conn: &mut DbConnection,
    today: NaiveDate,
    people: &People,
    out: &mut Vec<Reminder>,
) -> StoreResult<()> {
    let largest = rules::ARRANGEMENT_THRESHOLDS.iter().copied().max().unwrap_or(0);
    let until = today + chrono::Days::new(largest.unsigned_abs());
    for ending in crate::coverage::store::arrangements_ending(conn, today, until)? {
        let Some(threshold) = rules::threshold(ending.ends_on, today, rules::ARRANGEMENT_THRESHOLDS) else { continue };
        let mut context = tera::Context::new();
        context.insert("service", &ending.title);
        context.insert("partner", &ending.partner_name);
        context.insert("date", &ending.ends_on);
        context.insert("days", &(ending.ends_on - today).num_days());
        let about = About {
            kind: MessageKind::ArrangementEnding,
            provider: ending.provider_id,
            about: format!("provider-{}:{}", ending.provider_id, ending.reference),
            episode: format!("{threshold}:{}", ending.ends_on),
            subject: format!("Arrangement ending {}: {}", uk(ending.ends_on), ending.title),
            path: format!("/providers/{}/coverage/{}", ending.provider_id, ending.reference),
            context,
        };
        address(out, people, &about, None, people.managers(ending.provider_id), "you are a manager of");
    }
    Ok(())
}

/// Open audit actions due within 7 days, and overdue, to the managers. The action's own words are
/// not repeated: the message names the audit and links to the action.
fn actions(conn: &mut DbConnection, today: NaiveDate, people: &People, out: &mut Vec<Reminder>) -> StoreResult<()> {
    let until = today + chrono::Days::new(rules::ACTION_WARNING_DAYS as u64);
    for action in crate::audits::store::actions::open_due_by(conn, until, today)? {
        let Some(kind) = rules::action(action.due_on, today) else { continue };
        let subject = match kind {
            MessageKind::ActionOverdue => {
                format!("Audit action overdue since {}: {}", uk(action.due_on), action.audit_title)
            }
            _ => format!("Audit action due by {}: {}", uk(action.due_on), action.audit_title),
        };
        let mut context = tera::Context::new();
        context.insert("audit", &action.audit_title);
        context.insert("owner", &action.owner_name);
        context.insert("date", &action.due_on);
        let about = About {
            kind,
            provider: action.provider_id,
            about: format!("action-{}", action.id),
            episode: action.due_on.to_string(),
            subject,
            path: format!("/providers/{}/audit-actions/{}", action.provider_id, action.id),
            context,
        };
        address(out, people, &about, None, people.managers(action.provider_id), "you are a manager of");
    }
    Ok(())
}

/// Standards marked met that the records contradict (a failing live check with no exception in
/// force: `assessment::rules::is_contradicted`), to the managers, keyed by the standard and the day
/// its check began failing, so one episode is told once.
fn contradicted(
    conn: &mut DbConnection,
    today: NaiveDate,
    people: &People,
    out: &mut Vec<Reminder>,
) -> StoreResult<()> {
    let providers: Vec<ProviderId> = people.managers.keys().copied().collect();
    let suspects = crate::live::store::verdicts::contradicted_for_providers(conn, &providers, today)?;
    let mut suspects: Vec<ProviderId> = suspects.into_keys().collect();
    suspects.sort_unstable();
    let met = crate::assessment::store::met_standards_for_providers(conn, &suspects)?;
    for provider in suspects {
        let Some((_, standards)) = met.get(&provider) else { continue };
        let verdicts = crate::live::store::verdicts::by_standard(conn, provider, today)?;
        for (node, reference) in standards {
            let Some(live) = verdicts.get(node) else { continue };
            if !crate::assessment::rules::is_contradicted(crate::assessment::model::AssessmentResult::Met, live, today)
            {
                continue;
            }
            let failing: Vec<_> = live.iter().filter(|v| v.fails_unexcused(today)).collect();
            let Some(since) = failing.iter().map(|v| v.since).min() else { continue };
            let questions: Vec<&str> = failing.iter().map(|v| v.question).collect();
            let mut context = tera::Context::new();
            context.insert("reference", reference);
            context.insert("checks", &questions);
            context.insert("since", &since);
            let about = About {
                kind: MessageKind::StandardContradicted,
                provider,
                about: format!("provider-{provider}:{reference}"),
                episode: since.to_string(),
                subject: format!("Standard {reference} is contradicted by the records"),
                path: format!("/providers/{provider}/assessment/{reference}"),
                context,
            };
            address(out, people, &about, None, people.managers(provider), "you are a manager of");
        }
    }
    Ok(())
}

/// A six-monthly customer review with a commissioner falling due within 30 days, or overdue, to
/// the managers.
fn customer_reviews(
    conn: &mut DbConnection,
    today: NaiveDate,
    people: &People,
    out: &mut Vec<Reminder>,
) -> StoreResult<()> {
    for provider in crate::accounts::store::all_contracted_providers(conn, today)? {
        if people.managers(provider).is_empty() {
            continue;
        }
        for review in crate::commissioning::store::reviews::by_commissioner(conn, provider, None, today)? {
            let Some(due) = review.next_due.filter(|due| rules::customer_review_due(*due, today)) else { continue };
            let mut context = tera::Context::new();
            context.insert("commissioner", &review.name);
            context.insert("date", &due);
            context.insert("overdue", &review.overdue);
            let about = About {
                kind: MessageKind::CustomerReviewDue,
                provider,
                about: format!("provider-{provider}:commissioner-{}", review.commissioner_id),
                episode: due.to_string(),
                subject: format!("Customer review with {} due by {}", review.name, uk(due)),
                path: format!("/providers/{provider}/customer-reviews"),
                context,
            };
            address(out, people, &about, None, people.managers(provider), "you are a manager of");
        }
    }
    Ok(())
}

/// Audit plans submitted for sign-off, to the provider's clinical directors, once per submission.
/// (The quality report has no state awaiting sign-off: a manager approves it.)
fn sign_offs(conn: &mut DbConnection, people: &People, out: &mut Vec<Reminder>) -> StoreResult<()> {
    for (provider, year, submitted_at) in crate::audits::store::sign_off::awaiting_sign_off_everywhere(conn)? {
        let mut context = tera::Context::new();
        context.insert("year", &year.to_string());
        let about = About {
            kind: MessageKind::SignOffRequested,
            provider,
            about: format!("plan-{provider}-{}", year.url()),
            episode: submitted_at
                .map_or_else(|| "submitted".to_string(), |at| at.format("%Y-%m-%dT%H:%M:%S").to_string()),
            subject: format!("The audit plan {year} is awaiting your sign-off"),
            path: format!("/providers/{provider}/audit-plans/{}/sign-off", year.url()),
            context,
        };
        address(out, people, &about, None, people.directors(provider), "you are the clinical director of");
    }
    Ok(())
}
