use super::*;

fn source(name: &str, text: &str) -> Source {
    Source { name: name.into(), text: text.into() }
}

const HEADER: &str = r#"code = "test-fw"
kind = "framework"
title = "Test framework"
version = "1"
"#;

fn node(reference: &str, parent: Option<&str>, kind: &str) -> String {
    let parent = parent.map(|p| format!("parent = \"{p}\"\n")).unwrap_or_default();
    let evidence = if kind == "domain" { "[]" } else { "[\"Policy\"]" };
    format!(
        "\n[[node]]\nref = \"{reference}\"\n{parent}kind = \"{kind}\"\nlevel = \"must\"\norder = 1\ntitle = \"T {reference}\"\nguidance = \"G\"\nexpected_evidence = {evidence}\n"
    )
}

fn only_error(text: &str) -> CatalogueError {
    let errors = check_file(&source("t.toml", text)).expect_err("file should be refused");
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    errors.into_iter().next().unwrap()
}

#[test]
fn the_builtin_catalogue_passes_every_check() {
    let files =
        check_set(&crate::catalogue::builtin_sources(), &KnownReferences::new()).expect("built-in catalogue is valid");
    let codes: Vec<&str> = files.iter().map(|f| f.code.as_str()).collect();
    for code in
        ["seqohs-2023", "seqohs-2015", "nhs-core-services", "subspecialisms", "professions", "kpis", "document-kinds"]
    {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    // The 2015 framework loads before the 2023 one that replaces it.
    let pos = |c: &str| codes.iter().position(|x| *x == c).unwrap();
    assert!(pos("seqohs-2015") < pos("seqohs-2023"));

    let seqohs = files.iter().find(|f| f.code == "seqohs-2023").unwrap();
    let domains: Vec<&Node> = seqohs.nodes.iter().filter(|n| n.kind == NodeKind::Domain).collect();
    assert_eq!(domains.len(), 6, "SEQOHS 2023 has six domains");
    for domain in &domains[..5] {
        let standards = seqohs.nodes.iter().filter(|n| n.parent.as_deref() == Some(&domain.reference)).count();
        assert!(standards >= 4, "domain {} has {standards} standards", domain.reference);
    }
    let sector = seqohs.nodes.iter().filter(|n| n.parent.as_deref() == Some(&domains[5].reference)).count();
    assert_eq!(sector, 11, "the six NHS sector standards and the commissioning guidance's five musts");
    assert!(seqohs.nodes.iter().any(|n| !n.replaces.is_empty()));

    let count = |code: &str| files.iter().find(|f| f.code == code).unwrap().nodes.len();
    assert_eq!(count("nhs-core-services"), 6);
    assert_eq!(count("subspecialisms"), 10);
    // The document kinds are the references the key questions ask for by name, each once.
    let kinds: Vec<&str> =
        files.iter().find(|f| f.code == "document-kinds").unwrap().nodes.iter().map(|n| n.reference.as_str()).collect();
    // As commissioning::model::document_kinds names them (a higher layer: quoted, not imported).
    assert_eq!(
        kinds,
        [
            "audit_plan",
            "staff_development_plan",
            "specialist_training_plan",
            "service_development_plan",
            "early_return_to_work_process",
            "research_development_plan",
            "contingency_plan",
            "information_sharing_agreement",
        ]
    );

    let professions = files.iter().find(|f| f.code == "professions").unwrap();
    let nmc = professions.nodes.iter().find(|n| n.reference == "NMC").and_then(|n| n.profession.clone()).unwrap();
    assert_eq!((nmc.cpd_required, nmc.cpd_participatory_required), (Some(35.0), Some(20.0)));
    assert_eq!(nmc.reflective_accounts_required, Some(5));
    // Who needs clinical supervision is data: technicians and case workers, by default.
    let none = professions.nodes.iter().find(|n| n.reference == "NONE").and_then(|n| n.profession.clone()).unwrap();
    assert_eq!(none.supervised_disciplines, ["oh_technician", "non_clinical_case_worker"]);
    // Each HCPC profession's own prefix, some of three letters.
    let hcpc = professions.nodes.iter().find(|n| n.reference == "HCPC").and_then(|n| n.profession.clone()).unwrap();
    let pattern = regex::Regex::new(hcpc.registration_number_pattern.as_deref().unwrap()).unwrap();
    for number in ["PH123456", "OT58203", "PYL12345", "ODP123456", "HAD12345"] {
        assert!(pattern.is_match(number), "{number}");
    }
    for number in ["ZZ123456", "PYL1234", "P1234567"] {
        assert!(!pattern.is_match(number), "{number}");
    }
}

#[test]
fn a_good_file_keeps_its_lines_and_tree() {
    let text = format!("{HEADER}{}{}", node("GF", None, "domain"), node("GF1", Some("GF"), "standard"));
    let file = check_file(&source("t.toml", &text)).expect("valid");
    assert_eq!(file.nodes.len(), 2);
    assert_eq!(file.nodes[1].parent.as_deref(), Some("GF"));
    // The second node's `ref` is on line 15 of the text above.
    let line = text.lines().position(|l| l == "ref = \"GF1\"").unwrap() + 1;
    assert_eq!(file.nodes[1].line, line);
}

#[test]
fn a_duplicate_reference_is_named_with_both_lines() {
    let text = format!("{HEADER}{}{}", node("GF", None, "domain"), node("GF", None, "domain"));
    let error = only_error(&text);
    let first = text.lines().position(|l| l == "ref = \"GF\"").unwrap() + 1;
    let second = text.lines().collect::<Vec<_>>().iter().rposition(|l| *l == "ref = \"GF\"").unwrap() + 1;
    assert_eq!(error.problem, Problem::DuplicateReference { first_line: first });
    assert_eq!(error.line, Some(second));
    assert_eq!(error.reference.as_deref(), Some("GF"));
    assert_eq!(error.file, "t.toml");
    assert!(error.to_string().starts_with(&format!("t.toml:{second}: GF: duplicate reference")));
}

#[test]
fn an_unknown_parent_is_named() {
    let text = format!("{HEADER}{}{}", node("GF", None, "domain"), node("GF1", Some("XX"), "standard"));
    let error = only_error(&text);
    assert_eq!(error.problem, Problem::UnknownParent { parent: "XX".into() });
    assert_eq!(error.reference.as_deref(), Some("GF1"));
    assert_eq!(error.line, Some(text.lines().position(|l| l == "parent = \"XX\"").unwrap() + 1));
}

#[test]
fn a_parent_cycle_is_named_once() {
    let text = format!(
        "{HEADER}{}{}{}",
        node("A", Some("C"), "standard"),
        node("B", Some("A"), "standard"),
        node("C", Some("B"), "standard")
    );
    let errors = check_file(&source("t.toml", &text)).expect_err("refused");
    let cycles: Vec<&CatalogueError> = errors.iter().filter(|e| e.problem.name() == "cycle").collect();
    assert_eq!(cycles.len(), 1, "{errors:#?}");
    assert_eq!(cycles[0].problem, Problem::Cycle { chain: vec!["A".into(), "C".into(), "B".into(), "A".into()] });
    assert!(cycles[0].line.is_some());
}

#[test]
fn a_node_that_is_its_own_parent_is_a_cycle() {
    let text = format!("{HEADER}{}", node("A", Some("A"), "domain"));
    let errors = check_file(&source("t.toml", &text)).expect_err("refused");
    assert!(errors.iter().any(|e| e.problem == Problem::Cycle { chain: vec!["A".into(), "A".into()] }), "{errors:#?}");
}

#[test]
fn an_unknown_level_is_named() {
    let text = format!("{HEADER}{}", node("GF", None, "domain").replace("level = \"must\"", "level = \"could\""));
    let error = only_error(&text);
    assert_eq!(error.problem, Problem::UnknownLevel { level: "could".into() });
    assert_eq!(error.line, Some(text.lines().position(|l| l == "level = \"could\"").unwrap() + 1));
}

#[test]
fn a_missing_or_blank_title_is_named() {
    for replacement in ["", "title = \"   \"\n"] {
        let text = format!("{HEADER}{}", node("GF", None, "domain").replace("title = \"T GF\"\n", replacement));
        let error = only_error(&text);
        assert_eq!(error.problem, Problem::MissingTitle);
        assert_eq!(error.reference.as_deref(), Some("GF"));
        assert!(error.line.is_some());
    }
}

#[test]
fn replaces_must_point_at_a_real_reference() {
    let old = source("old.toml", &format!("{}{}", HEADER.replace("test-fw", "old-fw"), node("A", None, "domain")));
    let new_text = format!(
        "{}replaces_framework = \"old-fw\"\n{}{}replaces = [\"A\", \"Z9\"]\n",
        HEADER,
        node("GF", None, "domain"),
        node("GF1", Some("GF"), "standard")
    );
    let errors =
        check_set(&[old.clone(), source("new.toml", &new_text)], &KnownReferences::new()).expect_err("refused");
    assert_eq!(errors.0.len(), 1, "{errors:#?}");
    assert_eq!(errors.0[0].problem, Problem::UnknownReplaces { framework: "old-fw".into(), target: "Z9".into() });
    assert_eq!(errors.0[0].reference.as_deref(), Some("GF1"));
    assert_eq!(errors.0[0].file, "new.toml");

    // The older framework may already be in the database instead of in the same set.
    let good = new_text.replace(", \"Z9\"", "");
    let mut known = KnownReferences::new();
    known.insert("old-fw".into(), ["A".to_string()].into_iter().collect());
    assert!(check_set(&[source("new.toml", &good)], &known).is_ok());
    // And with neither, the reference points nowhere.
    assert!(check_set(&[source("new.toml", &good)], &KnownReferences::new()).is_err());
}

#[test]
fn syntax_errors_name_the_line() {
    let text = format!("{HEADER}\n[[node]]\nref = \"GF\nkind = \"domain\"\n");
    let error = only_error(&text);
    assert_eq!(error.problem.name(), "syntax");
    assert_eq!(error.line, Some(7));
}

#[test]
fn a_standard_naming_an_unknown_live_check_is_refused_at_its_line() {
    let standard = node("GF1", Some("GF"), "standard").replace(
        "expected_evidence",
        "checks = [\"workforce.registrations_current\",\n  \"workforce.registrations_curent\"]\nexpected_evidence",
    );
    let text = format!("{HEADER}{}{standard}", node("GF", None, "domain"));
    let error = only_error(&text);
    assert_eq!(error.problem, Problem::UnknownCheck { name: "workforce.registrations_curent".into() });
    assert_eq!(error.reference.as_deref(), Some("GF1"));
    let line = text.lines().position(|l| l.contains("registrations_curent")).map(|i| i + 1);
    assert_eq!(error.line, line, "the line of the misspelt name");
    assert!(
        error.to_string().starts_with(&format!("t.toml:{}: GF1: unknown live check", line.unwrap_or(0))),
        "{error}"
    );
}

#[test]
fn live_checks_belong_on_standards_and_are_named_once() {
    let domain = node("GF", None, "domain")
        .replace("expected_evidence", "checks = [\"quality.kpis_reported\"]\nexpected_evidence");
    assert_eq!(only_error(&format!("{HEADER}{domain}")).problem.name(), "invalid-value");
    let twice = node("GF1", Some("GF"), "standard").replace(
        "expected_evidence",
        "checks = [\"quality.kpis_reported\", \"quality.kpis_reported\"]\nexpected_evidence",
    );
    let error = only_error(&format!("{HEADER}{}{twice}", node("GF", None, "domain")));
    assert_eq!(error.problem.name(), "invalid-value");
    let known = node("GF1", Some("GF"), "standard").replace(
        "expected_evidence",
        "checks = [\"quality.kpis_reported\", \"audits.plan_signed_off\"]\nexpected_evidence",
    );
    let file = check_file(&source("t.toml", &format!("{HEADER}{}{known}", node("GF", None, "domain")))).expect("loads");
    assert_eq!(file.nodes[1].checks, vec![LiveCheck::KpisReported, LiveCheck::PlanSignedOff]);
}

#[test]
fn every_live_check_bears_on_some_standard_of_the_2023_framework() {
    let seqohs = builtin("seqohs-2023");
    for check in LiveCheck::ALL {
        assert!(seqohs.nodes.iter().any(|n| n.checks.contains(check)), "{} is mapped to no standard", check.as_str());
    }
    assert!(seqohs.nodes.iter().filter(|n| !n.checks.is_empty()).all(|n| n.guidance.contains("Live check")));
}

#[test]
fn unknown_keys_are_refused_rather_than_ignored() {
    let text = format!("{HEADER}{}", node("GF", None, "domain").replace("guidance", "guidence"));
    let errors = check_file(&source("t.toml", &text)).expect_err("refused");
    assert_eq!(errors[0].problem.name(), "syntax");
    assert!(errors[0].to_string().contains("guidence"), "{}", errors[0]);
}

#[test]
fn node_kinds_must_suit_the_file_and_sit_under_the_right_parent() {
    let text = format!("{HEADER}{}", node("BBV", None, "subspecialism"));
    assert_eq!(only_error(&text).problem.name(), "invalid-value");
    let text = format!("{HEADER}{}", node("GF1", None, "standard"));
    assert_eq!(only_error(&text).problem, Problem::MissingField("parent"));
    let text = format!("{HEADER}{}{}", node("GF", None, "domain"), node("GF1", Some("GF"), "criterion"));
    assert_eq!(only_error(&text).problem.name(), "invalid-value");
}

#[test]
fn a_standard_must_list_expected_evidence() {
    let text = format!(
        "{HEADER}{}{}",
        node("GF", None, "domain"),
        node("GF1", Some("GF"), "standard").replace("[\"Policy\"]", "[]")
    );
    let error = only_error(&text);
    assert_eq!(error.problem.name(), "invalid-value");
    assert_eq!(error.reference.as_deref(), Some("GF1"));
}

#[test]
fn profession_rules_are_checked() {
    let base = r#"code = "p"
kind = "professions"
title = "P"
version = "1"

[[node]]
ref = "NMC"
kind = "profession"
level = "must"
order = 1
title = "Nurses"
guidance = "G"
expected_evidence = ["Register check"]
regulator = "NMC"
disciplines = ["oh_nurse"]
registration_number_pattern = "^[0-9]{2}[A-Z][0-9]{4}[A-Z]$"
registration_number_example = "12A3456E"
revalidation_months = 36
cpd_cycle = "revalidation"
cpd_unit = "hours"
cpd_required = 35
"#;
    let file = check_file(&source("p.toml", base)).expect("valid");
    assert_eq!(file.nodes[0].profession.as_ref().unwrap().cpd_required, Some(35.0));

    let bad_example = base.replace("\"12A3456E\"", "\"1234567\"");
    assert_eq!(only_error(&bad_example).problem.name(), "invalid-value");
    let bad_regulator = base.replace("regulator = \"NMC\"", "regulator = \"GDC\"");
    assert_eq!(only_error(&bad_regulator).problem.name(), "invalid-value");
    let supervised = base.replace(
        "disciplines = [\"oh_nurse\"]",
        "disciplines = [\"oh_nurse\"]\nsupervised_disciplines = [\"oh_nurse\"]",
    );
    assert_eq!(
        check_file(&source("p.toml", &supervised)).unwrap().nodes[0]
            .profession
            .as_ref()
            .unwrap()
            .supervised_disciplines,
        ["oh_nurse"]
    );
    let stray = base.replace(
        "disciplines = [\"oh_nurse\"]",
        "disciplines = [\"oh_nurse\"]\nsupervised_disciplines = [\"oh_technician\"]",
    );
    assert_eq!(only_error(&stray).problem.name(), "invalid-value");
    let bad_pattern = base.replace("^[0-9]{2}", "^[0-9{2}");
    assert_eq!(only_error(&bad_pattern).problem.name(), "invalid-value");
    let negative = base.replace("revalidation_months = 36", "revalidation_months = -3");
    assert_eq!(only_error(&negative).problem.name(), "invalid-value");
}

#[test]
fn kpi_definitions_are_checked() {
    let base = r#"code = "k"
kind = "kpis"
title = "K"
version = "1"

[[node]]
ref = "K1"
kind = "kpi"
level = "should"
order = 1
title = "Referral to appointment"
guidance = "G"
expected_evidence = ["Activity report"]
unit = "working_days"
higher_is_better = false
default_target = 10
source = "service"
indicator = "leading"
"#;
    let file = check_file(&source("k.toml", base)).expect("valid");
    assert_eq!(file.nodes[0].kpi.as_ref().unwrap().default_target, 10.0);
    assert_eq!(file.nodes[0].kpi.as_ref().unwrap().indicator, KpiIndicator::Leading);
    // Every KPI says whether it leads or lags, in one of the two words.
    let unsaid = base.replace("indicator = \"leading\"\n", "");
    assert_eq!(only_error(&unsaid).problem, Problem::MissingField("indicator"));
    let error = only_error(&base.replace("\"leading\"", "\"outcome\""));
    assert_eq!(error.problem.name(), "invalid-value");
    assert!(error.to_string().contains("`indicator` is \"outcome\"; use one of leading, lagging"), "{error}");
    assert_eq!(only_error(&base.replace("working_days", "fortnights")).problem.name(), "invalid-value");
    let missing = base.replace("higher_is_better = false\n", "");
    assert_eq!(only_error(&missing).problem, Problem::MissingField("higher_is_better"));
    let over = base.replace("working_days", "percent").replace("default_target = 10", "default_target = 140");
    assert_eq!(only_error(&over).problem.name(), "invalid-value");
}

#[test]
fn two_files_may_not_share_a_code() {
    let a = source("a.toml", &format!("{HEADER}{}", node("GF", None, "domain")));
    let b = source("b.toml", &format!("{HEADER}{}", node("GF", None, "domain")));
    let errors = check_set(&[a, b], &KnownReferences::new()).expect_err("refused");
    assert_eq!(errors.0[0].problem, Problem::DuplicateCode { other_file: "a.toml".into() });
}

/// The built-in file of this code, checked.
fn builtin(code: &str) -> CatalogueFile {
    let files = check_set(&crate::catalogue::builtin_sources(), &KnownReferences::new()).expect("valid");
    files.into_iter().find(|f| f.code == code).unwrap_or_else(|| panic!("{code} is built in"))
}

fn standard<'a>(file: &'a CatalogueFile, reference: &str) -> &'a Node {
    file.nodes.iter().find(|n| n.reference == reference).unwrap_or_else(|| panic!("{reference} in {}", file.code))
}

#[test]
fn every_must_of_the_commissioning_guidance_is_a_must_standard_of_the_nhs_domain() {
    // Seeds/002 says a provider to the NHS "must" have these; each is a `must` standard of the
    // optional NHS domain (SS), so it counts wherever that domain applies.
    let seqohs = builtin("seqohs-2023");
    for (reference, words) in [
        ("SS7", "clinical governance"),
        ("SS8", "multidisciplinary"),
        ("SS9", "loss or absence of key staff"),
        ("SS10", "training new oh specialists"),
        ("SS11", "sub-specialism"),
    ] {
        let node = standard(&seqohs, reference);
        assert_eq!(node.kind, NodeKind::Standard, "{reference}");
        assert_eq!(node.level, Level::Must, "{reference}");
        assert_eq!(node.parent.as_deref(), Some("SS"), "{reference} is in the NHS domain");
        assert!(node.title.to_lowercase().contains(words), "{reference}: {}", node.title);
        assert!(node.expected_evidence.len() >= 2, "{reference} says what an assessor expects");
    }
    // Every sub-specialism the coverage page tracks is named in the special expertise standard.
    let expertise = standard(&seqohs, "SS11").guidance.to_lowercase();
    for area in builtin("subspecialisms").nodes {
        let first_word = area.title.split_whitespace().next().unwrap_or_default().to_lowercase();
        assert!(expertise.contains(&first_word), "SS11 names {}", area.title);
    }
    // The domain says it holds all of them, not "all six".
    assert!(!standard(&seqohs, "SS").guidance.contains("six"));
}

#[test]
fn the_2015_nhs_domain_maps_one_to_one_onto_the_2023_one() {
    let old = builtin("seqohs-2015");
    let domain = standard(&old, "NHS");
    assert_eq!((domain.kind, domain.level), (NodeKind::Domain, Level::Should), "optional, like SS");
    let nhs: Vec<&Node> = old.nodes.iter().filter(|n| n.parent.as_deref() == Some("NHS")).collect();
    assert_eq!(nhs.len(), 6);
    assert!(nhs.iter().all(|n| n.level == Level::Must && n.kind == NodeKind::Standard));
    let new = builtin("seqohs-2023");
    for i in 1..=6 {
        assert_eq!(standard(&new, &format!("SS{i}")).replaces, [format!("NHS{i}")]);
    }
    // Nothing else of 2023 claims them, and the new musts carry nothing from 2015.
    let claimed: Vec<&str> =
        new.nodes.iter().flat_map(|n| n.replaces.iter()).filter(|r| r.starts_with("NHS")).map(String::as_str).collect();
    assert_eq!(claimed.len(), 6);
    for reference in ["SS7", "SS8", "SS9", "SS10", "SS11"] {
        assert!(standard(&new, reference).replaces.is_empty(), "{reference}");
    }
}

#[test]
fn the_growing_oh_measures_are_kpis_with_their_units_and_directions() {
    let kpis = builtin("kpis");
    for (reference, indicator) in [
        ("G-RTW", KpiIndicator::Lagging),
        ("G-NEED", KpiIndicator::Lagging),
        ("G-HWC", KpiIndicator::Leading),
        ("G-HANDRAIL", KpiIndicator::Leading),
    ] {
        let node = standard(&kpis, reference);
        assert_eq!(node.parent.as_deref(), Some("GROWING"), "{reference}");
        let kpi = node.kpi.as_ref().unwrap_or_else(|| panic!("{reference} is a KPI"));
        assert_eq!((kpi.unit, kpi.higher_is_better, kpi.indicator), (KpiUnit::Percent, true, indicator), "{reference}");
        assert!(kpi.default_target > 0.0 && kpi.default_target <= 100.0, "{reference}");
    }
    // A balanced set: the built-in file holds both kinds.
    let indicators: HashSet<KpiIndicator> =
        kpis.nodes.iter().filter_map(|n| n.kpi.as_ref()).map(|k| k.indicator).collect();
    assert_eq!(indicators.len(), 2);
}

#[test]
fn m_appt_has_one_definition_everywhere_in_its_file() {
    // Round-one MoHaWK benchmarks (DOMAIN.md): seen within 10 days of referral, report within 2
    // working days. The header, title and guidance all say the same of M-APPT.
    let text = crate::catalogue::builtin_sources()
        .into_iter()
        .find(|s| s.name.ends_with("kpis.toml"))
        .map(|s| s.text)
        .expect("kpis.toml is built in");
    assert!(text.contains("an appointment within 10 days of referral"), "the header");
    assert!(!text.contains("10 working days"), "no second definition anywhere in the file");
    let kpis = builtin("kpis");
    let appt = standard(&kpis, "M-APPT");
    assert_eq!(appt.title, "Appointment within 10 days of referral");
    assert!(appt.guidance.contains("within 10 days of the referral"), "{}", appt.guidance);
    assert!(appt.guidance.contains("calendar days"), "{}", appt.guidance);
    assert_eq!(appt.kpi.as_ref().map(|k| k.unit), Some(KpiUnit::Percent));
    // Its neighbour is counted in working days, and says so.
    assert!(standard(&kpis, "M-ADV").title.contains("within 2 working days"));
}
