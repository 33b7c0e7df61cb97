//! `/catalogue`: the frameworks, then domains and standards with guidance and expected evidence,
//! then the core services, sub-specialisms, professions, KPIs and document kinds.

use actix_web::{web, HttpRequest, HttpResponse};

use super::model::CatalogueKind;
use super::store;
use crate::web::{render, with_conn, AppError, AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/catalogue", web::get().to(index));
}

async fn index(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let catalogues = with_conn(&state, |conn| Ok(store::overview(conn)?)).await?;
    let (frameworks, lists): (Vec<_>, Vec<_>) =
        catalogues.into_iter().partition(|c| c.kind == CatalogueKind::Framework);
    let list = |kind: CatalogueKind| lists.iter().find(|c| c.kind == kind).cloned();
    let mut context = tera::Context::new();
    context.insert("frameworks", &frameworks);
    context.insert("core_services", &list(CatalogueKind::CoreServices));
    context.insert("subspecialisms", &list(CatalogueKind::Subspecialisms));
    context.insert("professions", &list(CatalogueKind::Professions));
    context.insert("kpis", &list(CatalogueKind::Kpis));
    context.insert("document_kinds", &list(CatalogueKind::DocumentKinds));
    render(&state, &req, "catalogue/index.html", context)
}
