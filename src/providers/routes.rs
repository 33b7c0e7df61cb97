//! `/providers/{id}`: a provider's overview, which reads every area's figures, and its audit trail.

use actix_web::{web, HttpRequest, HttpResponse};

use super::history;
use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, permissions};
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::history::memo::TrailMemo;
use crate::web::{render, with_conn, AppError, AppState};

/// The overview's figures for a provider, drawn from every area's records: the same for everyone
/// who may see them, and the costliest page to draw, so kept until the records change
/// (`history::memo`). Keyed by the provider, the day and the supervision interval they count with.
static OVERVIEW: std::sync::LazyLock<TrailMemo<(ProviderId, chrono::NaiveDate, i64), Figures>> =
    std::sync::LazyLock::new(|| TrailMemo::new(4096));

/// Everything on the overview that does not depend on who is looking: only what the page shows,
/// so that each request hands the template a few figures and not the whole readiness report.
struct Figures {
    provider: Option<crate::accounts::store::ProviderSummary>,
    accreditation: crate::assessment::store::AccreditationRecord,
    glance: Glance,
    /// The clinical director's figures, without the plans (which go only to those who may sign).
    decisions: Decisions,
    coverage: crate::coverage::rules::Totals,
    /// The people on the workforce list, and how many of them have something to act on.
    workforce: (usize, usize),
    audit_actions: Vec<crate::audits::store::actions::ActionRecord>,
    plans_to_sign: Vec<crate::clock::FinancialYear>,
    /// Every commissioner a customer review is overdue with; each person sees those of their standing.
    reviews_overdue: Vec<crate::commissioning::store::reviews::CommissionerReviews>,
}

/// The self-assessment's figures the overview shows, as the template names them.
#[derive(serde::Serialize)]
struct Glance {
    standard_count: usize,
    must_not_met: usize,
    evidence_overdue: usize,
    contradicted: usize,
}

impl Figures {
    fn draw(
        conn: &mut crate::db::DbConnection,
        provider_id: ProviderId,
        today: chrono::NaiveDate,
        supervision_days: i64,
        live: crate::assessment::store::LiveJudge,
    ) -> Result<Self, AppError> {
        let report = crate::assessment::store::readiness(conn, provider_id, today, live)?;
        let coverage = crate::coverage::store::totals(&crate::coverage::store::coverage(conn, provider_id, today)?);
        let people = crate::workforce::store::workforce(conn, provider_id, today, supervision_days)?.people;
        let flagged = people.iter().filter(|p| !p.issues.is_empty()).count();
        let readiness = &report.readiness;
        Ok(Figures {
            provider: crate::accounts::store::provider(conn, provider_id)?,
            glance: Glance {
                standard_count: readiness.standard_count,
                must_not_met: readiness.must_not_met,
                evidence_overdue: readiness.evidence_overdue,
                contradicted: readiness.contradicted,
            },
            decisions: Decisions::from(readiness),
            accreditation: report.accreditation,
            coverage,
            workforce: (people.len(), flagged),
            audit_actions: crate::audits::store::actions::overdue_for_provider(conn, provider_id, today)?,
            plans_to_sign: crate::audits::store::sign_off::awaiting_sign_off(conn, provider_id)?,
            reviews_overdue: crate::commissioning::store::reviews::by_commissioner(conn, provider_id, None, today)?
                .into_iter()
                .filter(|c| c.overdue)
                .collect(),
        })
    }
}

/// The overview and the history pages, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}", web::get().to(overview))
        .route("/providers/{provider_id}/history", web::get().to(history::index));
}

/// What awaits a clinical director's decision, each figure the length of the list it links to.
#[derive(serde::Serialize)]
struct Decisions {
    /// Standards in review, in every domain (the list `?workflow=in_review` shows them all).
    in_review: usize,
    /// Assessments carried over from the last cycle, to confirm or change.
    carried_over: usize,
    /// Open findings, to close as resolved once their action is done.
    open_findings: usize,
    /// Audit plans submitted for sign-off, oldest year first: "2026/27" and its address's "2026-27".
    plans_to_sign: Vec<(String, String)>,
}

impl From<&crate::assessment::rules::Readiness> for Decisions {
    fn from(r: &crate::assessment::rules::Readiness) -> Self {
        use crate::assessment::model::Workflow;
        let in_review = r.domains.iter().flat_map(|d| &d.by_workflow).filter(|(w, _)| *w == Workflow::InReview);
        Decisions {
            in_review: in_review.map(|(_, n)| n).sum(),
            carried_over: r.carried_over,
            open_findings: r.open_findings,
            plans_to_sign: Vec::new(),
        }
    }
}

/// `GET /providers/{id}`: the figures a manager or a commissioner looks for first, and what awaits
/// a clinical director's decision.
pub(super) async fn overview(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let can = permissions(&state, &user, provider_id).await?;
    // At a glance: the figures a manager or a commissioner looks for first.
    let days = state.settings.supervision_days;
    let live = crate::assessment::routes::live_judge(&req)?;
    let figures = with_conn(&state, move |conn| {
        OVERVIEW
            .get_or_draw(conn, (provider_id, today, days), |conn| Figures::draw(conn, provider_id, today, days, live))
    })
    .await?;
    // The commissioners a customer review is overdue with, as the review list says it: a
    // commissioner hears only of its own. From the memberships the access check read.
    let standing = user.access.get().and_then(|(memberships, contracts)| {
        crate::commissioning::store::reviews::standing_from(memberships, contracts, provider_id, today)
    });
    let reviews_overdue: Vec<_> = match standing {
        Some(standing) if can.read => {
            figures.reviews_overdue.iter().filter(|c| standing.sees(c.commissioner_id)).collect()
        }
        _ => Vec::new(),
    };
    let Figures {
        provider, accreditation, glance, decisions, coverage, workforce, audit_actions, plans_to_sign, ..
    } = &*figures;
    let provider = provider.as_ref().ok_or(AppError::NotFound)?;
    // Workforce figures go only to those who may read the provider's records (not to an
    // assessor), and the plans to sign only to those who may sign them.
    let workforce = can.read.then_some(workforce);
    let plans_to_sign: &[_] = if can.sign_off { plans_to_sign } else { &[] };
    let mut context = tera::Context::new();
    context.insert("provider", &provider);
    context.insert("provider_id", &provider_id);
    context.insert("can", &can);
    context.insert("sites", &provider.sites);
    context.insert("accreditation", accreditation);
    context.insert("readiness", glance);
    context.insert("coverage", &coverage);
    context.insert("workforce", &workforce);
    context.insert("overdue_audit_actions", &audit_actions);
    context.insert("reviews_overdue", &reviews_overdue);
    context.insert(
        "decisions",
        &can.sign_off.then(|| Decisions {
            plans_to_sign: plans_to_sign.iter().map(|year| (year.to_string(), year.url())).collect(),
            ..*decisions
        }),
    );
    render(&state, &req, "providers/overview.html", context)
}
