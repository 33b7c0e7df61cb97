//! The workforce's vocabulary and the checks a person, a CPD record and a supervision session must
//! pass, from a form or a CSV row alike. Pure: the regulators' figures come in as [`Regulations`].

use chrono::NaiveDate;
use regex::Regex;

use crate::catalogue::model::{ProfessionRule, Regulator as CatalogueRegulator};
use crate::form::FieldErrors;
use crate::form::{optional_date, optional_text, required_text};

crate::vocabulary! {
    /// Where a person sits in the tiered model of care (seeds/000).
    pub enum Tier {
        Specialist => ("specialist", "Specialist"),
        Clinical => ("clinical", "Clinical"),
        NonClinical => ("non_clinical", "Non-clinical"),
    }
    name = "tier", stored_in = [staff.tier];
}

impl Tier {
    /// Only the clinical and specialist tiers may supervise.
    pub fn may_supervise(self) -> bool {
        matches!(self, Tier::Specialist | Tier::Clinical)
    }
}

crate::vocabulary! {
    /// The OH disciplines, in the snake_case an import file uses.
    pub enum Discipline {
        ConsultantOccupationalPhysician => ("consultant_occupational_physician", "Consultant occupational physician"),
        OccupationalPhysician => ("occupational_physician", "Occupational physician"),
        SpecialtyRegistrar => ("specialty_registrar", "Specialty registrar (StR) in occupational medicine"),
        OhNurseScphn => ("oh_nurse_scphn", "OH nurse on the SCPHN register"),
        OhNurse => ("oh_nurse", "OH nurse"),
        OhTechnician => ("oh_technician", "OH technician"),
        Physiotherapist => ("physiotherapist", "Physiotherapist"),
        Psychologist => ("psychologist", "Psychologist"),
        OtherAhp => ("other_ahp", "Other allied health professional"),
        NonClinicalCaseWorker => ("non_clinical_case_worker", "Non-clinical case worker"),
        Administrator => ("administrator", "Administrator"),
    }
    name = "discipline", stored_in = [staff.discipline];
}

impl Discipline {
    /// The tier a discipline sits in unless a manager says otherwise.
    pub fn default_tier(self) -> Tier {
        use Discipline::*;
        match self {
            ConsultantOccupationalPhysician => Tier::Specialist,
            OccupationalPhysician
            | SpecialtyRegistrar
            | OhNurseScphn
            | OhNurse
            | Physiotherapist
            | Psychologist
            | OtherAhp => Tier::Clinical,
            OhTechnician | NonClinicalCaseWorker | Administrator => Tier::NonClinical,
        }
    }

    /// Also accepts the long form of "other AHP" that an ESR export may use.
    pub fn parse_lenient(value: &str) -> Option<Self> {
        let value = value.trim().to_ascii_lowercase();
        match value.as_str() {
            "other_allied_health_professional" => Some(Discipline::OtherAhp),
            "specialty_registrar_in_occupational_medicine" | "str" => Some(Discipline::SpecialtyRegistrar),
            other => Discipline::parse(other),
        }
    }
}

crate::vocabulary! {
    /// The professional regulators, and none for unregistered roles.
    pub enum Regulator {
        Gmc => ("gmc", "GMC"),
        Nmc => ("nmc", "NMC"),
        Hcpc => ("hcpc", "HCPC"),
        None => ("none", "Not registered"),
    }
    name = "regulator", stored_in = [staff.regulator];
}

impl Regulator {
    /// The catalogue's code for the regulator ("GMC" in professions.toml).
    pub fn catalogue_code(self) -> &'static str {
        self.in_catalogue().as_str()
    }

    /// The regulator as the catalogue names it (`regulator = "GMC"` in professions.toml).
    pub fn in_catalogue(self) -> CatalogueRegulator {
        match self {
            Regulator::Gmc => CatalogueRegulator::Gmc,
            Regulator::Nmc => CatalogueRegulator::Nmc,
            Regulator::Hcpc => CatalogueRegulator::Hcpc,
            Regulator::None => CatalogueRegulator::None,
        }
    }

    /// The regulator a staff record names for the catalogue's.
    pub fn from_catalogue(regulator: CatalogueRegulator) -> Self {
        match regulator {
            CatalogueRegulator::Gmc => Regulator::Gmc,
            CatalogueRegulator::Nmc => Regulator::Nmc,
            CatalogueRegulator::Hcpc => Regulator::Hcpc,
            CatalogueRegulator::None => Regulator::None,
        }
    }
}

crate::vocabulary! {
    /// How a consultant reached the specialist register.
    pub enum SpecialistRoute {
        SpecialistRegister => ("specialist_register", "On the specialist register"),
        Cct => ("cct", "CCT"),
        Cesr => ("cesr", "CESR"),
    }
    name = "specialist route", stored_in = [staff.specialist_route];
}

crate::vocabulary! {
    /// Kinds of CPD activity.
    pub enum CpdType {
        Course => ("course", "Course or study day"),
        Conference => ("conference", "Conference"),
        Elearning => ("e_learning", "E-learning"),
        PeerDiscussion => ("peer_discussion", "Peer discussion or journal club"),
        Audit => ("audit", "Audit or quality improvement"),
        Teaching => ("teaching", "Teaching"),
        Reading => ("reading", "Reading"),
        Other => ("other", "Other"),
    }
    name = "CPD activity type", stored_in = [cpd_records.activity_type];
}

crate::vocabulary! {
    /// Kinds of clinical supervision.
    pub enum SupervisionKind {
        Individual => ("individual", "Individual"),
        Group => ("group", "Group"),
        CaseReview => ("case_review", "Case review"),
    }
    name = "kind of supervision", stored_in = [supervision_sessions.kind];
}

/// One regulator's rules as loaded from the catalogue.
#[derive(Debug, Clone)]
pub struct Regulation {
    pub regulator: Regulator,
    pub disciplines: Vec<String>,
    pub number_pattern: Option<Regex>,
    pub number_example: Option<String>,
    pub rule: ProfessionRule,
}

/// Every regulator's rules: what registration numbers look like, who each regulator registers, and
/// the figures the compliance rules use.
#[derive(Debug, Clone, Default)]
pub struct Regulations(pub Vec<Regulation>);

impl Regulations {
    pub fn get(&self, regulator: Regulator) -> Option<&Regulation> {
        self.0.iter().find(|r| r.regulator == regulator)
    }

    /// Whether the catalogue says the discipline must attend clinical supervision.
    pub fn needs_supervision(&self, discipline: Discipline) -> bool {
        self.0.iter().any(|r| r.rule.supervised_disciplines.iter().any(|d| d == discipline.as_str()))
    }

    /// The regulator the catalogue lists a discipline under.
    pub fn regulator_of(&self, discipline: Discipline) -> Option<Regulator> {
        self.0.iter().find(|r| r.disciplines.iter().any(|d| d == discipline.as_str())).map(|r| r.regulator)
    }
}

/// Reads yes/no as people write it: yes, no, true, false, y, n, 1, 0 (any case); blank is no.
pub fn yes_no(field: &'static str, value: &str, errors: &mut FieldErrors) -> bool {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "on" => true,
        "no" | "n" | "false" | "0" | "" => false,
        other => {
            errors.add(field, format!("{other:?} is not yes or no (use yes, no, true, false, y, n, 1 or 0)"));
            false
        }
    }
}

/// A person as submitted from the form or a staff CSV row (the columns of the import file, plus
/// the form's own fields).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct StaffInput {
    pub staff_number: String,
    pub full_name: String,
    pub email: String,
    pub discipline: String,
    pub regulator: String,
    pub registration_number: String,
    pub registration_renewal: String,
    pub revalidation_due: String,
    pub last_appraisal: String,
    pub responsible_officer: String,
    pub start_date: String,
    pub leaving_date: String,
    pub fte: String,
    pub tier: String,
    pub specialist_route: String,
    pub practice_teacher: String,
}

/// A checked person.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStaff {
    pub staff_number: String,
    pub full_name: String,
    pub email: Option<String>,
    pub discipline: Discipline,
    pub tier: Tier,
    pub tier_overridden: bool,
    pub regulator: Regulator,
    pub registration_number: Option<String>,
    pub registration_renewal: Option<NaiveDate>,
    pub revalidation_due: Option<NaiveDate>,
    pub specialist_route: Option<SpecialistRoute>,
    pub last_appraisal: Option<NaiveDate>,
    pub responsible_officer: Option<String>,
    pub practice_teacher: bool,
    pub start_date: Option<NaiveDate>,
    pub leaving_date: Option<NaiveDate>,
    pub fte: Option<f64>,
}

impl StaffInput {
    /// Checks every field against the regulators' rules; every problem at once.
    pub fn parse(&self, regulations: &Regulations) -> Result<NewStaff, FieldErrors> {
        let mut errors = FieldErrors::default();
        let staff_number = required_text(
            &mut errors,
            "staff_number",
            &self.staff_number,
            30,
            "Enter the staff number (the ESR assignment number where there is one)",
        );
        let full_name = required_text(&mut errors, "full_name", &self.full_name, 200, "Enter the person's full name");
        let email = optional_text(&mut errors, "email", &self.email, 200).map(|e| e.to_lowercase());
        if let Some(email) = &email {
            if !validator::ValidateEmail::validate_email(email) {
                errors.add("email", "Enter an email address in the correct format, like name@example.nhs.uk");
            }
        }
        let discipline = Discipline::parse_lenient(&self.discipline);
        if discipline.is_none() {
            errors.add("discipline", Discipline::refusal(&self.discipline));
        }
        let expected = discipline.and_then(|d| regulations.regulator_of(d));
        let regulator = if self.regulator.trim().is_empty() {
            expected
        } else {
            match Regulator::parse(&self.regulator.trim().to_ascii_lowercase()) {
                Some(given) => {
                    if let (Some(expected), Some(d)) = (expected, discipline) {
                        if given != expected {
                            errors.add(
                                "regulator",
                                format!(
                                    "{} staff are registered with the {}, not the {}",
                                    d.label(),
                                    expected.label(),
                                    given.label()
                                ),
                            );
                        }
                    }
                    Some(given)
                }
                None => {
                    errors.add("regulator", Regulator::refusal(&self.regulator));
                    None
                }
            }
        };
        let number: String =
            self.registration_number.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let registration_number = match regulator.and_then(|r| regulations.get(r)) {
            Some(regulation) if regulation.regulator != Regulator::None => {
                let example = regulation.number_example.as_deref().unwrap_or("");
                if number.is_empty() {
                    errors.add(
                        "registration_number",
                        format!("Enter the {} registration number, like {example}", regulation.regulator.label()),
                    );
                } else if regulation.number_pattern.as_ref().is_some_and(|p| !p.is_match(&number)) {
                    let shape = match regulation.regulator {
                        Regulator::Gmc => "7 digits",
                        Regulator::Nmc => "2 digits, a letter, 4 digits and a letter",
                        Regulator::Hcpc => "their profession's letters (PH, OT, PYL, ODP, HAD and others) and digits",
                        Regulator::None => "",
                    };
                    errors.add(
                        "registration_number",
                        format!(
                            "{number:?} is not a {} number: they are {shape}, like {example}",
                            regulation.regulator.label()
                        ),
                    );
                }
                Some(number)
            }
            _ => (!number.is_empty()).then_some(number),
        };
        let registration_renewal = optional_date(&mut errors, "registration_renewal", &self.registration_renewal);
        let revalidation_due = optional_date(&mut errors, "revalidation_due", &self.revalidation_due);
        let last_appraisal = optional_date(&mut errors, "last_appraisal", &self.last_appraisal);
        let start_date = optional_date(&mut errors, "start_date", &self.start_date);
        let leaving_date = optional_date(&mut errors, "leaving_date", &self.leaving_date);
        if let (Some(start), Some(leaving)) = (start_date, leaving_date) {
            if leaving < start {
                errors.add("leaving_date", "The leaving date cannot be before the start date");
            }
        }
        let responsible_officer = optional_text(&mut errors, "responsible_officer", &self.responsible_officer, 200);
        let fte = match self.fte.trim() {
            "" => None,
            text => match text.parse::<f64>() {
                Ok(fte) if fte > 0.0 && fte <= 1.0 => Some(fte),
                _ => {
                    errors.add(
                        "fte",
                        format!("{text:?} is not a full-time equivalent: use a number above 0 and at most 1, like 0.6"),
                    );
                    None
                }
            },
        };
        let tier_override = Tier::read_optional(&mut errors, "tier", &self.tier);
        let specialist_route = SpecialistRoute::read_optional(&mut errors, "specialist_route", &self.specialist_route);
        let practice_teacher = yes_no("practice_teacher", &self.practice_teacher, &mut errors);
        match (discipline, regulator) {
            (Some(discipline), Some(regulator)) if errors.is_empty() => {
                let tier = tier_override.unwrap_or(discipline.default_tier());
                Ok(NewStaff {
                    staff_number,
                    full_name,
                    email,
                    discipline,
                    tier,
                    tier_overridden: tier != discipline.default_tier(),
                    regulator,
                    registration_number,
                    registration_renewal,
                    revalidation_due,
                    specialist_route,
                    last_appraisal,
                    responsible_officer,
                    practice_teacher,
                    start_date,
                    leaving_date,
                    fte,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A CPD record as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CpdInput {
    pub date: String,
    pub title: String,
    pub activity_type: String,
    pub hours: String,
    pub participatory: String,
    pub reflective: String,
}

/// A checked CPD record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCpd {
    pub date: NaiveDate,
    pub title: String,
    pub activity_type: CpdType,
    pub hours: f64,
    pub participatory: bool,
    pub reflective: bool,
}

impl CpdInput {
    /// `today` bounds the date: CPD is recorded once done.
    pub fn parse(&self, today: NaiveDate) -> Result<NewCpd, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = optional_date(&mut errors, "date", &self.date);
        if self.date.trim().is_empty() {
            errors.add("date", "Enter the date of the activity");
        }
        if date.is_some_and(|d| d > today) {
            errors.add("date", "CPD cannot be dated in the future");
        }
        let title = required_text(&mut errors, "title", &self.title, 300, "Enter what the activity was");
        let activity_type = match self.activity_type.trim() {
            "" => CpdType::Other,
            text => CpdType::read(&mut errors, "activity_type", text).unwrap_or(CpdType::Other),
        };
        let participatory = yes_no("participatory", &self.participatory, &mut errors);
        let reflective = yes_no("reflective", &self.reflective, &mut errors);
        // A reflective account is a record of its own that carries no CPD hours, so that writing
        // one never adds to the hours the regulator asks for.
        let hours = match (reflective, self.hours.trim()) {
            (true, "" | "0") => 0.0,
            (true, _) => {
                errors.add(
                    "hours",
                    "A reflective account carries no CPD hours: leave the hours blank, and record the activity \
                     it reflects on as its own CPD record",
                );
                0.0
            }
            (false, text) => match text.parse::<f64>() {
                Ok(hours) if hours > 0.0 && hours <= 100.0 => hours,
                _ => {
                    errors.add(
                        "hours",
                        format!("{text:?} is not a number of hours: use a number above 0 and at most 100, like 1.5"),
                    );
                    0.0
                }
            },
        };
        if reflective && participatory {
            errors.add("participatory", "A reflective account is not itself a participatory activity");
        }
        match date {
            Some(date) if errors.is_empty() => {
                Ok(NewCpd { date, title, activity_type, hours, participatory, reflective })
            }
            _ => Err(errors),
        }
    }
}

crate::vocabulary! {
    /// Who confirmed a nurse's revalidation, as the NMC allows: ideally their line manager, who may
    /// be a nurse, another regulated professional, or neither.
    pub enum ConfirmerRole {
        NmcRegistrant => ("nmc_registrant", "An NMC registrant"),
        OtherRegulated => ("other_regulated", "Another regulated health professional, such as a doctor"),
        LineManager => ("line_manager", "A line manager on no professional register"),
    }
    name = "confirmer role", stored_in = [nmc_revalidations.confirmer_role];
}

/// A nurse's revalidation record for the current cycle, as the person's page submits it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RevalidationInput {
    pub practice_hours: String,
    pub feedback_pieces: String,
    pub discussion_on: String,
    pub discussion_with: String,
    pub discussion_with_pin: String,
    pub confirmed_on: String,
    pub confirmer: String,
    pub confirmer_role: String,
    pub confirmer_pin: String,
}

/// The reflective discussion, held with another NMC registrant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discussion {
    pub on: NaiveDate,
    pub with: String,
    pub pin: String,
}

/// The confirmation; `pin` only for a confirmer on the NMC register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub on: NaiveDate,
    pub confirmer: String,
    pub role: ConfirmerRole,
    pub pin: Option<String>,
}

/// A checked revalidation record. Its dates still have to fall in the cycle, which the store
/// checks against the person's revalidation date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRevalidation {
    pub practice_hours: i32,
    pub feedback_pieces: i32,
    pub discussion: Option<Discussion>,
    pub confirmation: Option<Confirmation>,
}

/// Reads a required whole number from 0 to `most`.
fn whole_number(errors: &mut FieldErrors, field: &'static str, value: &str, most: i32, missing: &str) -> i32 {
    match value.trim().replace(',', "").as_str() {
        "" => {
            errors.add(field, missing);
            0
        }
        text => match text.parse::<i32>() {
            Ok(n) if (0..=most).contains(&n) => n,
            _ => {
                errors.add(field, format!("{text:?} is not a whole number from 0 to {most}"));
                0
            }
        },
    }
}

impl RevalidationInput {
    /// Practice hours and feedback are required (0 when there is none yet); the discussion and the
    /// confirmation are each given in full or left blank. PINs are checked against the NMC's format
    /// from the catalogue. Dates may not be in the future.
    pub fn parse(&self, today: NaiveDate, regulations: &Regulations) -> Result<NewRevalidation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let practice_hours = whole_number(
            &mut errors,
            "practice_hours",
            &self.practice_hours,
            20_000,
            "Enter the practice hours in this cycle, 0 if none yet",
        );
        let feedback_pieces = whole_number(
            &mut errors,
            "feedback_pieces",
            &self.feedback_pieces,
            1_000,
            "Enter the pieces of practice-related feedback in this cycle, 0 if none yet",
        );
        let nmc = regulations.get(Regulator::Nmc);
        let pin = |errors: &mut FieldErrors, field: &'static str, value: &str| -> Option<String> {
            let number: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
            if number.is_empty() {
                return None;
            }
            if nmc.and_then(|r| r.number_pattern.as_ref()).is_some_and(|p| !p.is_match(&number)) {
                let example = nmc.and_then(|r| r.number_example.as_deref()).unwrap_or("");
                errors.add(
                    field,
                    format!("{number:?} is not an NMC PIN: 2 digits, a letter, 4 digits and a letter, like {example}"),
                );
            }
            Some(number)
        };
        let not_future = |errors: &mut FieldErrors, field: &'static str, value: &str| {
            let date = optional_date(errors, field, value);
            if date.is_some_and(|d| d > today) {
                errors.add(field, "The date cannot be in the future");
            }
            date
        };

        let discussion_on = not_future(&mut errors, "discussion_on", &self.discussion_on);
        let discussion_with = optional_text(&mut errors, "discussion_with", &self.discussion_with, 200);
        let discussion_pin = pin(&mut errors, "discussion_with_pin", &self.discussion_with_pin);
        let discussion = match (discussion_on, discussion_with, discussion_pin) {
            (Some(on), Some(with), Some(pin)) => Some(Discussion { on, with, pin }),
            (None, None, None) if self.discussion_on.trim().is_empty() => None,
            (on, with, pin) => {
                if on.is_none() && self.discussion_on.trim().is_empty() {
                    errors.add("discussion_on", "Enter the date of the reflective discussion");
                }
                if with.is_none() {
                    errors.add("discussion_with", "Enter the name of the NMC registrant it was held with");
                }
                if pin.is_none() {
                    errors.add("discussion_with_pin", "Enter their NMC PIN, like 12A3456E");
                }
                None
            }
        };

        let confirmed_on = not_future(&mut errors, "confirmed_on", &self.confirmed_on);
        let confirmer = optional_text(&mut errors, "confirmer", &self.confirmer, 200);
        let role = match self.confirmer_role.trim() {
            "" => None,
            text => {
                let role = ConfirmerRole::parse(text);
                if role.is_none() {
                    errors.add("confirmer_role", "Choose who the confirmer is");
                }
                role
            }
        };
        let confirmer_pin = pin(&mut errors, "confirmer_pin", &self.confirmer_pin);
        let confirmation = match (confirmed_on, confirmer, role) {
            (None, None, None)
                if self.confirmed_on.trim().is_empty()
                    && self.confirmer_role.trim().is_empty()
                    && confirmer_pin.is_none() =>
            {
                None
            }
            (Some(on), Some(confirmer), Some(role)) => match (role, confirmer_pin) {
                (ConfirmerRole::NmcRegistrant, None) => {
                    errors.add("confirmer_pin", "Enter the confirmer's NMC PIN, like 12A3456E");
                    None
                }
                (ConfirmerRole::NmcRegistrant, pin) => Some(Confirmation { on, confirmer, role, pin }),
                (_, Some(_)) => {
                    errors.add(
                        "confirmer_pin",
                        "Only a confirmer on the NMC register has an NMC PIN: choose \"An NMC registrant\" or \
                         leave the PIN blank",
                    );
                    None
                }
                (_, None) => Some(Confirmation { on, confirmer, role, pin: None }),
            },
            (on, confirmer, role) => {
                if on.is_none() && self.confirmed_on.trim().is_empty() {
                    errors.add("confirmed_on", "Enter the date of the confirmation");
                }
                if confirmer.is_none() {
                    errors.add("confirmer", "Enter the confirmer's name");
                }
                if role.is_none() && self.confirmer_role.trim().is_empty() {
                    errors.add("confirmer_role", "Choose who the confirmer is");
                }
                None
            }
        };
        errors.into_result().map(|()| NewRevalidation { practice_hours, feedback_pieces, discussion, confirmation })
    }
}

/// A supervision session as submitted; people are named by staff number.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct SupervisionInput {
    pub date: String,
    pub kind: String,
    pub supervisor_staff_number: String,
    /// Staff numbers separated by ";" (commas and spaces are accepted too).
    pub attendee_staff_numbers: String,
    pub minutes: String,
    pub cases_discussed: String,
    pub escalated_gp: String,
    pub escalated_clinical: String,
    pub escalated_specialist: String,
}

/// The API's `?as_of=YYYY-MM-DD`: the day to judge the workforce on (today when left out).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AsOfQuery {
    pub as_of: String,
}

impl AsOfQuery {
    /// ISO dates only: other systems send them, and a UK date here would be ambiguous to them.
    pub fn parse(&self, today: NaiveDate) -> Result<NaiveDate, FieldErrors> {
        match self.as_of.trim() {
            "" => Ok(today),
            text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| FieldErrors::one("as_of", format!("{text:?} is not a date; use YYYY-MM-DD")))
                .and_then(|date| crate::form::in_year_range("as_of", date)),
        }
    }
}

/// The supervision form as the page sends it: attendees ticked one by one (or typed, several to a
/// box), the rest as in a CSV row.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SupervisionForm {
    pub date: String,
    pub kind: String,
    pub supervisor_staff_number: String,
    pub attendee_staff_numbers: Vec<String>,
    pub minutes: String,
    pub cases_discussed: String,
    pub escalated_gp: String,
    pub escalated_clinical: String,
    pub escalated_specialist: String,
}

impl From<SupervisionForm> for SupervisionInput {
    fn from(form: SupervisionForm) -> Self {
        let attendees: Vec<&str> = form
            .attendee_staff_numbers
            .iter()
            .flat_map(|v| v.split(|c: char| c == ',' || c.is_whitespace()))
            .filter(|v| !v.is_empty())
            .collect();
        SupervisionInput {
            date: form.date,
            kind: form.kind,
            supervisor_staff_number: form.supervisor_staff_number,
            attendee_staff_numbers: attendees.join(";"),
            minutes: form.minutes,
            cases_discussed: form.cases_discussed,
            escalated_gp: form.escalated_gp,
            escalated_clinical: form.escalated_clinical,
            escalated_specialist: form.escalated_specialist,
        }
    }
}

/// A CPD record as added from a person's page: the record, and evidence from the library.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CpdEntryInput {
    pub evidence_id: String,
    #[serde(flatten)]
    pub cpd: CpdInput,
}

impl CpdEntryInput {
    /// The record, and the library item it links to if one was chosen.
    pub fn parse(&self, today: NaiveDate) -> Result<(NewCpd, Option<i32>), FieldErrors> {
        let evidence_id = match self.evidence_id.trim() {
            "" => None,
            text => Some(
                text.parse::<i32>().map_err(|_| FieldErrors::one("evidence_id", "Choose evidence from the library"))?,
            ),
        };
        Ok((self.cpd.parse(today)?, evidence_id))
    }
}

/// A checked session, people still by staff number: the store resolves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSupervision {
    pub date: NaiveDate,
    pub kind: SupervisionKind,
    pub supervisor: String,
    pub attendees: Vec<String>,
    pub minutes: String,
    pub cases_discussed: i32,
    pub escalated_gp: i32,
    pub escalated_clinical: i32,
    pub escalated_specialist: i32,
}

fn count(field: &'static str, value: &str, errors: &mut FieldErrors) -> i32 {
    match value.trim() {
        "" => 0,
        text => match text.parse::<i32>() {
            Ok(n) if (0..=10_000).contains(&n) => n,
            _ => {
                errors.add(field, format!("{text:?} is not a count: use a whole number, 0 or more"));
                0
            }
        },
    }
}

impl SupervisionInput {
    pub fn parse(&self, today: NaiveDate) -> Result<NewSupervision, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = optional_date(&mut errors, "date", &self.date);
        if self.date.trim().is_empty() {
            errors.add("date", "Enter the date of the session");
        }
        if date.is_some_and(|d| d > today) {
            errors.add("date", "A session cannot be recorded before it happens");
        }
        let kind = SupervisionKind::parse(&self.kind.trim().to_ascii_lowercase());
        if kind.is_none() {
            errors.add("kind", SupervisionKind::refusal(&self.kind));
        }
        let supervisor = required_text(
            &mut errors,
            "supervisor_staff_number",
            &self.supervisor_staff_number,
            30,
            "Enter the supervisor's staff number",
        );
        let mut attendees: Vec<String> = self
            .attendee_staff_numbers
            .split([';', ',', ' ', '\n'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        attendees.sort();
        attendees.dedup();
        if attendees.is_empty() {
            errors.add("attendee_staff_numbers", "Enter the staff numbers of those supervised, separated by ;");
        }
        if attendees.contains(&supervisor) {
            errors.add("attendee_staff_numbers", "The supervisor cannot also be one of those supervised");
        }
        let minutes = optional_text(&mut errors, "minutes", &self.minutes, 20_000).unwrap_or_default();
        let cases_discussed = count("cases_discussed", &self.cases_discussed, &mut errors);
        let escalated_gp = count("escalated_gp", &self.escalated_gp, &mut errors);
        let escalated_clinical = count("escalated_clinical", &self.escalated_clinical, &mut errors);
        let escalated_specialist = count("escalated_specialist", &self.escalated_specialist, &mut errors);
        if escalated_gp + escalated_clinical + escalated_specialist > cases_discussed {
            errors.add("cases_discussed", "More cases were escalated than were discussed");
        }
        match (date, kind) {
            (Some(date), Some(kind)) if errors.is_empty() => Ok(NewSupervision {
                date,
                kind,
                supervisor,
                attendees,
                minutes,
                cases_discussed,
                escalated_gp,
                escalated_clinical,
                escalated_specialist,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
