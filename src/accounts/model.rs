//! The shapes of organisations and contracts, and the checks a new one must pass. Pure.

use chrono::NaiveDate;
use validator::Validate;

use serde::{Deserialize, Serialize};

use crate::db::{ProviderId, UserId};
use crate::form::{optional_date, parse_date, FieldErrors};

crate::vocabulary! {
    /// Providers are the OH services; commissioners pay them and may read what they contract for.
    pub enum OrganisationKind {
        Provider => ("provider", "Provider"),
        Commissioner => ("commissioner", "Commissioner"),
    }
    name = "organisation kind", stored_in = [organisations.kind];
}

crate::vocabulary! {
    /// What sort of provider or commissioner an organisation is; each kind has its own three.
    pub enum OrganisationType {
        NhsInHouse => ("nhs_in_house", "NHS in-house"),
        NhsHosting => ("nhs_hosting", "NHS, hosting other organisations"),
        Independent => ("independent", "Independent"),
        NhsTrust => ("nhs_trust", "NHS trust"),
        Icb => ("icb", "Integrated care board"),
        OtherEmployer => ("other_employer", "Other employer"),
    }
    name = "organisation type", stored_in = [organisations.organisation_type];
}

impl OrganisationType {
    /// The kind of organisation a type belongs to.
    pub fn kind(self) -> OrganisationKind {
        match self {
            OrganisationType::NhsInHouse | OrganisationType::NhsHosting | OrganisationType::Independent => {
                OrganisationKind::Provider
            }
            OrganisationType::NhsTrust | OrganisationType::Icb | OrganisationType::OtherEmployer => {
                OrganisationKind::Commissioner
            }
        }
    }
}

impl OrganisationKind {
    /// The types each kind may have, as code and label pairs for a form's select.
    pub fn types(self) -> &'static [(&'static str, &'static str)] {
        match self {
            OrganisationKind::Provider => &[
                ("nhs_in_house", "NHS in-house"),
                ("nhs_hosting", "NHS, hosting other organisations"),
                ("independent", "Independent"),
            ],
            OrganisationKind::Commissioner => {
                &[("nhs_trust", "NHS trust"), ("icb", "Integrated care board"), ("other_employer", "Other employer")]
            }
        }
    }
}

/// A new organisation as submitted, before it is checked.
#[derive(Debug, Clone, Default, Validate)]
pub struct OrganisationInput {
    pub kind: String,
    #[validate(length(min = 1, max = 200, message = "Enter the organisation's name (at most 200 characters)"))]
    pub name: String,
    /// ODS code for NHS bodies, or a company number.
    #[validate(length(max = 20, message = "The code is at most 20 characters"))]
    pub code: String,
    pub organisation_type: String,
    #[validate(range(min = 1, max = 1000, message = "Enter the number of sites, from 1"))]
    pub sites: Option<i32>,
}

/// A checked new organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganisation {
    pub kind: OrganisationKind,
    pub name: String,
    pub code: Option<String>,
    pub organisation_type: Option<OrganisationType>,
    pub sites: Option<i32>,
    /// Whether the sector-specific (NHS) standards apply: None is "by default" (see
    /// `assessment::rules::nhs_domain_applies`).
    pub nhs_domain_applies: Option<bool>,
}

impl OrganisationInput {
    /// Trims and checks every field; returns every problem at once.
    pub fn parse(self) -> Result<NewOrganisation, FieldErrors> {
        let trimmed = OrganisationInput {
            kind: self.kind.trim().to_string(),
            name: self.name.trim().to_string(),
            code: self.code.trim().to_uppercase(),
            organisation_type: self.organisation_type.trim().to_string(),
            sites: self.sites,
        };
        let mut errors = FieldErrors::default();
        if let Err(found) = trimmed.validate() {
            errors.absorb(found, &["name", "code", "sites"]);
        }
        if !trimmed.code.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.add("code", "The code may hold only letters and digits (an ODS code such as RX1 or 8HV48)");
        }
        let kind = OrganisationKind::parse(&trimmed.kind);
        let organisation_type = match trimmed.organisation_type.as_str() {
            "" => None,
            given => OrganisationType::parse(given),
        };
        match kind {
            None => errors.add("kind", OrganisationKind::refusal(&trimmed.kind)),
            Some(kind) => {
                let known = organisation_type.is_some_and(|t| t.kind() == kind);
                if !trimmed.organisation_type.is_empty() && !known {
                    let labels: Vec<&str> = kind.types().iter().map(|(_, label)| *label).collect();
                    let message = crate::form::choice_refusal(
                        &format!("type of {}", kind.label().to_lowercase()),
                        &trimmed.organisation_type,
                        &labels,
                    );
                    errors.add("organisation_type", message);
                }
            }
        }
        errors.into_result()?;
        let kind = kind.ok_or_else(FieldErrors::default)?;
        let optional = |s: String| Some(s).filter(|s| !s.is_empty());
        Ok(NewOrganisation {
            kind,
            name: trimmed.name,
            code: optional(trimmed.code),
            organisation_type,
            sites: trimmed.sites,
            nhs_domain_applies: None,
        })
    }
}

/// A contract between a commissioner and a provider, checked for its dates. That the two
/// organisations exist and are of the right kinds is checked against the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContract {
    pub commissioner_id: i32,
    pub provider_id: ProviderId,
    pub starts_on: NaiveDate,
    /// The last day covered; None while open-ended.
    pub ends_on: Option<NaiveDate>,
    /// References of the core services bought.
    pub services: Vec<String>,
}

impl NewContract {
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.ends_on.is_some_and(|end| end < self.starts_on) {
            errors.add("ends_on", "The end date must be the same as or after the start date");
        }
        if self.commissioner_id == self.provider_id.0 {
            errors.add("provider_id", "A contract links two different organisations");
        }
        errors.into_result()
    }

    /// Whether the contract covers a day: from its start to its last day, both included.
    pub fn is_current_on(starts_on: NaiveDate, ends_on: Option<NaiveDate>, day: NaiveDate) -> bool {
        starts_on <= day && ends_on.is_none_or(|end| day <= end)
    }
}

crate::vocabulary! {
    /// What a membership allows. Admin is not a role here: it is a flag on the user, for
    /// organisations, users and contracts only.
    pub enum Role {
        Manager => ("manager", "Manager"),
        ClinicalDirector => ("clinical_director", "Clinical director"),
        Clinician => ("clinician", "Clinician"),
        Viewer => ("viewer", "Viewer"),
        Commissioner => ("commissioner", "Commissioner"),
        Assessor => ("assessor", "Assessor"),
    }
    name = "role", stored_in = [memberships.role];
}

impl Role {
    /// The kind of organisation the role is held in.
    pub fn organisation_kind(self) -> OrganisationKind {
        match self {
            Role::Commissioner => OrganisationKind::Commissioner,
            _ => OrganisationKind::Provider,
        }
    }
}

/// A new user as submitted.
#[derive(Debug, Clone, Default, Validate)]
pub struct UserInput {
    #[validate(email(message = "Enter an email address in the correct format, like name@example.nhs.uk"))]
    pub email: String,
    #[validate(length(min = 1, max = 200, message = "Enter the person's name (at most 200 characters)"))]
    pub name: String,
    /// Long passphrases beat complexity rules (NCSC guidance), so length is the only rule.
    #[validate(length(min = 12, max = 200, message = "Enter a password of at least 12 characters"))]
    pub password: String,
    pub is_admin: bool,
}

/// A checked new user. The email is lower-cased: it is unique whatever its case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: String,
    pub is_admin: bool,
}

impl UserInput {
    pub fn parse(self) -> Result<NewUser, FieldErrors> {
        let trimmed = UserInput {
            email: self.email.trim().to_lowercase(),
            name: self.name.trim().to_string(),
            password: self.password,
            is_admin: self.is_admin,
        };
        let mut errors = FieldErrors::default();
        if let Err(found) = trimmed.validate() {
            errors.absorb(found, &["email", "name", "password"]);
        }
        if !errors.0.contains_key("password")
            && is_guessable(&trimmed.password, &own_words(&trimmed.email, &trimmed.name))
        {
            errors.add("password", GUESSABLE_PASSWORD);
        }
        errors.into_result()?;
        Ok(NewUser { email: trimmed.email, name: trimmed.name, password: trimmed.password, is_admin: trimmed.is_admin })
    }
}

/// Passwords on every attacker's list, compared with case and spaces ignored. Short on purpose:
/// with the length rule and the repeat rule below, these are the ones that would still get in.
const COMMON_PASSWORDS: &[&str] = &[
    "password1234",
    "passwordpassword",
    "password123456",
    "123456789012",
    "1234567890123",
    "qwertyuiopas",
    "qwerty123456",
    "1q2w3e4r5t6y",
    "letmeinletmein",
    "iloveyouiloveyou",
    "welcome12345",
    "changeme1234",
    "administrator",
    "trustno1trustno1",
];

/// What a refused password is told, at the password field.
pub const GUESSABLE_PASSWORD: &str =
    "This password is too common or easy to guess. Try three random words, like 'copper kettle meadow'";

fn squashed(text: &str) -> Vec<char> {
    text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Whether a password is one an attacker tries first (NCSC guidance): on the common list, one
/// character or one run of characters repeated (`aaaaaaaaaaaa`, `abcabcabcabc`), or the same, case
/// and spaces ignored, as any of `own`: the person's email, name, or organisation's name.
pub fn is_guessable(password: &str, own: &[&str]) -> bool {
    let typed = squashed(password);
    if typed.is_empty() {
        return false;
    }
    let text: String = typed.iter().collect();
    let repeated = (1..=typed.len() / 2)
        .any(|run| typed.len().is_multiple_of(run) && typed.chunks(run).all(|chunk| chunk == &typed[..run]));
    repeated
        || COMMON_PASSWORDS.contains(&text.as_str())
        || own.iter().map(|o| squashed(o)).any(|o| !o.is_empty() && o == typed)
}

/// The names a person's password must not be: their email, its part before the @, and their name.
pub fn own_words<'a>(email: &'a str, name: &'a str) -> Vec<&'a str> {
    let local = email.split('@').next().unwrap_or("");
    vec![email, local, name]
}

/// Failed sign-ins in a row that lock an account.
pub const LOCK_AFTER_FAILURES: i32 = 10;
/// How long a locked account stays locked.
pub const LOCK_MINUTES: i64 = 15;
/// Failed sign-ins from one address, across all accounts, within `LOCK_MINUTES`, before that
/// address is refused for the rest of the window.
pub const ADDRESS_FAILURE_LIMIT: i64 = 50;

/// Why a sign-in was refused. The message never says whether the email exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    BadCredentials,
    Locked { until: chrono::NaiveDateTime },
    AddressThrottled,
}

impl std::fmt::Display for SignInRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // A locked account is answered as a wrong password is, so the answer does not tell
            // which emails exist; the lock still blocks.
            SignInRefusal::BadCredentials | SignInRefusal::Locked { .. } => {
                write!(f, "Enter a correct email address and password")
            }
            SignInRefusal::AddressThrottled => {
                write!(f, "Too many failed sign-ins from your network. Wait {LOCK_MINUTES} minutes and try again")
            }
        }
    }
}

/// Whether an account's lock is still in force at `now`.
pub fn is_locked(locked_until: Option<chrono::NaiveDateTime>, now: chrono::NaiveDateTime) -> bool {
    locked_until.is_some_and(|until| now < until)
}

/// The account's counters after one more failure: the count, and the lock if this failure is the
/// tenth (the count then starts again).
pub fn after_failure(failed_before: i32, now: chrono::NaiveDateTime) -> (i32, Option<chrono::NaiveDateTime>) {
    let failed = failed_before + 1;
    if failed >= LOCK_AFTER_FAILURES {
        (0, Some(now + chrono::Duration::minutes(LOCK_MINUTES)))
    } else {
        (failed, None)
    }
}

/// A provider's own details as its manager submits them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProviderDetailsInput {
    pub name: String,
    pub code: String,
    pub organisation_type: String,
    pub sites: String,
    /// `applies`, `does_not_apply`, or `default` (or nothing): whether the sector-specific (NHS)
    /// standards apply to the provider.
    pub nhs_domain: String,
}

/// The provider edit page's choices for the sector-specific (NHS) standards.
pub const NHS_DOMAIN_CHOICES: [(&str, &str); 3] = [
    ("default", "By default (applies to an NHS provider or one with an NHS commissioner contract)"),
    ("applies", "Applies"),
    ("does_not_apply", "Does not apply"),
];

/// The edit page's code for a provider's choice.
pub fn nhs_domain_code(choice: Option<bool>) -> &'static str {
    match choice {
        None => "default",
        Some(true) => "applies",
        Some(false) => "does_not_apply",
    }
}

impl ProviderDetailsInput {
    pub fn parse(&self) -> Result<NewOrganisation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let nhs_domain_applies = match self.nhs_domain.trim() {
            "" | "default" => None,
            "applies" => Some(true),
            "does_not_apply" => Some(false),
            _ => {
                errors.add("nhs_domain", "Choose applies, does not apply or by default");
                None
            }
        };
        let sites = match self.sites.trim() {
            "" => None,
            text => text
                .parse::<i32>()
                .map_err(|_| errors.add("sites", "Enter the number of sites as a whole number, like 3"))
                .ok(),
        };
        let parsed = OrganisationInput {
            kind: OrganisationKind::Provider.as_str().into(),
            name: self.name.clone(),
            code: self.code.clone(),
            organisation_type: self.organisation_type.clone(),
            sites,
        }
        .parse()
        .map(|details| NewOrganisation { nhs_domain_applies, ..details });
        match parsed {
            Ok(details) if errors.is_empty() => Ok(details),
            Ok(_) => Err(errors),
            Err(found) => {
                errors.merge(found);
                Err(errors)
            }
        }
    }
}

/// A password change as submitted. The store checks the current password and the new one's
/// length; the form checks that it was typed the same twice.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PasswordInput {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

impl PasswordInput {
    pub fn check(&self) -> Result<(), FieldErrors> {
        if self.new_password != self.confirm_password {
            return Err(FieldErrors::one("confirm_password", "The new passwords do not match"));
        }
        Ok(())
    }
}

/// A membership to grant with a new user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub organisation_id: i32,
    pub role: Role,
    /// Required for assessors: the last day their access lasts.
    pub expires_on: Option<chrono::NaiveDate>,
}

/// Any admin form as submitted: every field as text, so what was typed can be shown again.
#[derive(Debug, Clone, Deserialize, Default, Serialize)]
#[serde(default)]
pub struct AdminForm {
    pub kind: String,
    pub name: String,
    pub code: String,
    pub organisation_type: String,
    pub email: String,
    pub password: String,
    /// A new user's password: `invite` (the default: they are sent a link to set it) or `set`.
    pub password_choice: String,
    pub organisation_id: String,
    pub role: String,
    pub expires_on: String,
    pub is_admin: String,
    pub user_id: String,
    pub commissioner_id: String,
    pub provider_id: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl AdminForm {
    /// A new organisation (sites are not asked for here).
    pub fn organisation(&self) -> Result<NewOrganisation, FieldErrors> {
        OrganisationInput {
            kind: self.kind.clone(),
            name: self.name.clone(),
            code: self.code.clone(),
            organisation_type: self.organisation_type.clone(),
            sites: None,
        }
        .parse()
    }

    /// The role asked for; `missing` is said when no organisation was chosen.
    fn grant(&self, errors: &mut FieldErrors, missing: &str) -> Option<Grant> {
        let organisation_id = id_field(errors, "organisation_id", &self.organisation_id, missing);
        let role = Role::parse(&self.role);
        if role.is_none() {
            errors.add("role", "Choose a role");
        }
        let expires_on = optional_date(errors, "expires_on", &self.expires_on);
        Some(Grant { organisation_id: organisation_id?, role: role?, expires_on })
    }

    /// A new user, and the role to give them if one was chosen.
    pub fn user(&self) -> Result<(NewUser, Option<Grant>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let grant = if self.organisation_id.trim().is_empty() && self.role.trim().is_empty() {
            None
        } else {
            self.grant(&mut errors, "Choose the organisation for the role")
        };
        let input = UserInput {
            email: self.email.clone(),
            name: self.name.clone(),
            password: self.password.clone(),
            is_admin: self.is_admin == "yes",
        };
        match input.parse() {
            Ok(user) if errors.is_empty() => Ok((user, grant)),
            Ok(_) => Err(errors),
            Err(found) => {
                errors.merge(found);
                Err(errors)
            }
        }
    }

    /// A role for an existing user: who, and the grant.
    pub fn membership(&self) -> Result<(UserId, Grant), FieldErrors> {
        let mut errors = FieldErrors::default();
        let user_id = id_field(&mut errors, "user_id", &self.user_id, "Choose the person");
        let grant = self.grant(&mut errors, "Choose the organisation");
        match (user_id, grant) {
            (Some(user_id), Some(grant)) if errors.is_empty() => Ok((UserId(user_id), grant)),
            _ => Err(errors),
        }
    }

    /// A contract between a commissioner and a provider (services are added by command).
    pub fn contract(&self) -> Result<NewContract, FieldErrors> {
        let mut errors = FieldErrors::default();
        let commissioner_id =
            id_field(&mut errors, "commissioner_id", &self.commissioner_id, "Choose the commissioner");
        let provider_id = id_field(&mut errors, "provider_id", &self.provider_id, "Choose the provider");
        let starts_on = parse_date("starts_on", &self.starts_on).map_err(|e| errors.merge(e)).ok();
        let ends_on = optional_date(&mut errors, "ends_on", &self.ends_on);
        match (commissioner_id, provider_id, starts_on) {
            (Some(commissioner_id), Some(provider_id), Some(starts_on)) if errors.is_empty() => Ok(NewContract {
                commissioner_id,
                provider_id: ProviderId(provider_id),
                starts_on,
                ends_on,
                services: Vec::new(),
            }),
            _ => Err(errors),
        }
    }
}

/// An id chosen from a list; `message` when none was.
fn id_field(errors: &mut FieldErrors, field: &'static str, value: &str, message: &str) -> Option<i32> {
    value.trim().parse::<i32>().map_err(|_| errors.add(field, message)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::parse_date;

    fn input(kind: &str, name: &str, code: &str) -> OrganisationInput {
        OrganisationInput { kind: kind.into(), name: name.into(), code: code.into(), ..Default::default() }
    }

    #[test]
    fn a_provider_is_trimmed_and_its_code_upper_cased() {
        let org = input("provider", "  Northshire OH Service ", " rx1 ").parse().unwrap();
        assert_eq!(org.name, "Northshire OH Service");
        assert_eq!(org.code.as_deref(), Some("RX1"));
        assert_eq!(org.kind, OrganisationKind::Provider);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let errors = input("trust", "   ", "RX-1").parse().unwrap_err();
        assert!(errors.0.contains_key("kind"));
        assert!(errors.0.contains_key("name"));
        assert!(errors.0.contains_key("code"));
        assert_eq!(errors.0["name"], "Enter the organisation's name (at most 200 characters)");
    }

    #[test]
    fn a_type_must_suit_the_kind() {
        let mut bad = input("provider", "A", "");
        bad.organisation_type = "icb".into();
        assert!(bad.parse().unwrap_err().0.contains_key("organisation_type"));
        let mut good = input("commissioner", "B", "");
        good.organisation_type = "icb".into();
        assert_eq!(good.parse().unwrap().organisation_type, Some(OrganisationType::Icb));
    }

    #[test]
    fn a_contract_may_not_end_before_it_starts_but_may_end_the_day_it_starts() {
        let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let contract = |end| NewContract {
            commissioner_id: 1,
            provider_id: ProviderId(2),
            starts_on: day,
            ends_on: end,
            services: vec![],
        };
        assert!(contract(day.pred_opt()).check().unwrap_err().0.contains_key("ends_on"));
        assert!(contract(Some(day)).check().is_ok());
        assert!(contract(None).check().is_ok());
    }

    #[test]
    fn a_contract_is_current_from_its_first_to_its_last_day() {
        let start = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        assert!(!NewContract::is_current_on(start, Some(end), start.pred_opt().unwrap()));
        assert!(NewContract::is_current_on(start, Some(end), start));
        assert!(NewContract::is_current_on(start, Some(end), end));
        assert!(!NewContract::is_current_on(start, Some(end), end.succ_opt().unwrap()));
        assert!(NewContract::is_current_on(start, None, end.succ_opt().unwrap()));
    }

    #[test]
    fn users_are_checked_field_by_field_and_emails_lower_cased() {
        let user = UserInput {
            email: " Jo.Bloggs@Northshire.NHS.uk ".into(),
            name: "Jo Bloggs".into(),
            password: "a long enough passphrase".into(),
            is_admin: false,
        }
        .parse()
        .unwrap();
        assert_eq!(user.email, "jo.bloggs@northshire.nhs.uk");
        let errors = UserInput { email: "jo@".into(), name: " ".into(), password: "short".into(), is_admin: false }
            .parse()
            .unwrap_err();
        assert_eq!(errors.0.keys().copied().collect::<Vec<_>>(), ["email", "name", "password"]);
    }

    #[test]
    fn common_repeated_and_own_name_passwords_are_refused() {
        for common in
            ["aaaaaaaaaaaa", "password1234", "Password 1234", "123456789012", "qwertyuiopas", "LetMeInLetMeIn"]
        {
            assert!(is_guessable(common, &[]), "{common}");
        }
        for repeated in ["zzzzzzzzzzzzzzzz", "abcabcabcabc", "ab ab ab ab ab ab", "horsehorsehorse"] {
            assert!(is_guessable(repeated, &[]), "{repeated}");
        }
        let own = own_words("jo.bloggs@northshire.nhs.uk", "Jo Bloggs-Smithson");
        assert!(is_guessable("JO BLOGGS-SMITHSON", &own));
        assert!(is_guessable("jo.bloggs@northshire.nhs.uk", &own));
        assert!(is_guessable("Northshire OH Service", &["Northshire OH Service"]));
        assert!(is_guessable("northshireohservice", &["Northshire OH Service"]));
        for fine in ["a long enough passphrase", "copper kettle meadow", "password1234 is not it", "abcabcabcabd"] {
            assert!(!is_guessable(fine, &own), "{fine}");
        }
        assert!(!is_guessable("anything at all", &["", " "]), "an empty name matches nothing");
    }

    #[test]
    fn a_new_users_password_may_not_be_guessable() {
        let user = |password: &str| UserInput {
            email: "jo@northshire.nhs.uk".into(),
            name: "Jo Bloggs Northshire".into(),
            password: password.into(),
            is_admin: false,
        };
        for bad in ["aaaaaaaaaaaa", "password1234", "Jo Bloggs Northshire", "JO@NORTHSHIRE.NHS.UK"] {
            let errors = user(bad).parse().unwrap_err();
            assert_eq!(errors.get("password"), Some(GUESSABLE_PASSWORD), "{bad}");
            assert!(GUESSABLE_PASSWORD.contains("three random words"));
        }
        assert!(user("a long enough passphrase").parse().is_ok());
    }

    #[test]
    fn roles_read_their_own_names_and_belong_to_one_kind_of_organisation() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert_eq!(Role::parse("admin"), None);
        for kind in OrganisationKind::ALL {
            let of_kind: Vec<(&str, &str)> =
                OrganisationType::ALL.iter().filter(|t| t.kind() == *kind).map(|t| (t.as_str(), t.label())).collect();
            assert_eq!(kind.types(), of_kind.as_slice(), "the form's types are the stored list's");
        }
        assert_eq!(Role::Commissioner.organisation_kind(), OrganisationKind::Commissioner);
        assert_eq!(Role::Assessor.organisation_kind(), OrganisationKind::Provider);
    }

    #[test]
    fn the_tenth_failure_locks_for_fifteen_minutes() {
        let now = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let mut failed = 0;
        for _ in 0..9 {
            let (count, lock) = after_failure(failed, now);
            assert_eq!(lock, None);
            failed = count;
        }
        assert_eq!(failed, 9);
        let (count, lock) = after_failure(failed, now);
        assert_eq!(count, 0);
        let until = lock.expect("locked");
        assert_eq!(until - now, chrono::Duration::minutes(15));
        assert!(is_locked(Some(until), now));
        assert!(is_locked(Some(until), until - chrono::Duration::seconds(1)));
        assert!(!is_locked(Some(until), until), "the lock ends at its end time");
        assert!(!is_locked(None, now));
    }

    #[test]
    fn dates_are_read_in_iso_or_uk_form() {
        assert_eq!(parse_date("starts_on", "2026-04-01").unwrap(), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(parse_date("starts_on", "01/04/2026").unwrap(), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert!(parse_date("starts_on", "2026-13-01").unwrap_err().0.contains_key("starts_on"));
    }
}
