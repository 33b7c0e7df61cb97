//! `/providers/{id}/key-questions`: the seventeen key questions of the NHS Employers guidance on
//! commissioning OH, answered from the provider's own records, each with the records behind it.
//! The commissioners' and the assessors' view as much as the provider's: figures, never names of
//! staff.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page, Permissions};
use crate::accounts::session::CurrentUser;
use crate::commissioning::model::{Answer, AnswerValue, Source};
use crate::commissioning::rules::questions::answers;
use crate::commissioning::store::facts;
use crate::db::ProviderId;
use crate::web::{render, with_conn, AppError, AppState};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/key-questions", web::get().to(key_questions));
}

/// One answer as the page shows it: the value in words and as the tag's colour, and only the
/// sources the reader may open.
#[derive(Serialize)]
struct AnswerLine<'a> {
    number: u8,
    code: &'static str,
    question: &'static str,
    value: &'static str,
    value_label: &'static str,
    tag: &'static str,
    facts: &'a str,
    sources: Vec<&'a Source>,
}

/// The tag's colour for a value; the value is always written beside it, so colour is never alone.
fn tag(value: AnswerValue) -> &'static str {
    match value {
        AnswerValue::Yes => "tag--good",
        AnswerValue::Partly => "tag--warning",
        AnswerValue::No => "tag--bad",
        AnswerValue::NotEvidenced => "tag--neutral",
    }
}

fn line<'a>(answer: &'a Answer, can: &Permissions) -> AnswerLine<'a> {
    AnswerLine {
        number: answer.number,
        code: answer.code,
        question: answer.question,
        value: answer.value.as_str(),
        value_label: answer.value.label(),
        tag: tag(answer.value),
        facts: &answer.facts,
        sources: answer.sources.iter().filter(|s| can.allows(s.needs)).collect(),
    }
}

/// `GET /providers/{id}/key-questions`: every key question answered for one provider on today's
/// facts, gathered as the commissioner's table gathers them, so the two always agree.
async fn key_questions(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let (mut context, can) = provider_page(&state, &user, provider_id).await?;
    let today = state.today();
    let days = state.settings.supervision_days;
    let gathered = with_conn(&state, move |conn| Ok(facts::gather(conn, &[provider_id], today, days)?)).await?;
    let facts = gathered.into_iter().next().ok_or(AppError::NotFound)?;
    let answers = answers(&facts);
    let lines: Vec<AnswerLine> = answers.iter().map(|a| line(a, &can)).collect();
    let count = |value: AnswerValue| answers.iter().filter(|a| a.value == value).count();
    context.insert("answers", &lines);
    context.insert("as_of", &facts.as_of);
    context.insert("tally", &AnswerValue::ALL.iter().map(|v| (v.label(), tag(*v), count(*v))).collect::<Vec<_>>());
    render(&state, &req, "commissioning/questions.html", context)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::ProviderId;

    #[test]
    fn a_source_is_linked_only_for_a_reader_who_may_open_it() {
        let mut facts = crate::commissioning::model::ProviderFacts::new(
            ProviderId(3),
            "Calder Valley OH".into(),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 2).expect("a day"),
        );
        facts.workforce.in_post = 4;
        let all = answers(&facts);
        let cpd = all.iter().find(|a| a.code == "cpd").expect("the CPD question");
        let assessor = Permissions { read_assessment: true, ..Permissions::default() };
        let commissioner = Permissions { read: true, read_assessment: true, ..Permissions::default() };
        assert!(line(cpd, &assessor).sources.is_empty(), "the workforce is not the assessor's");
        assert_eq!(line(cpd, &commissioner).sources[0].href, "/providers/3/workforce");
        let accreditation = all.iter().find(|a| a.code == "seqohs_accreditation").expect("question 1");
        assert_eq!(line(accreditation, &assessor).sources.len(), 1);
        for value in AnswerValue::ALL {
            assert!(tag(*value).starts_with("tag--"));
        }
    }
}
