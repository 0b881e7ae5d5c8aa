//! `/campaigns/new`: a campaign to every body, or to the bodies of some regions, with its
//! subject and letter; the requests are made at once, one per body, ready to send.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::domain::london;
use crate::http::pages::coding::Posted;
use crate::http::pages::session::Me;
use crate::http::pages::{PageError, html, session};
use crate::service::campaigns::{NewCampaignInput, Targets};
use crate::service::{Actor, Service};

/// The letter a new campaign starts from: every placeholder a researcher is likely to need.
const SAMPLE_BODY: &str = "Dear {{authority.name}},\n\nUnder the Freedom of Information Act 2000, \
please tell me …\n\nPlease quote our reference {{request.reference}} in your reply.\n\nYours faithfully,";

#[derive(Template, Default)]
#[template(path = "new_campaign.html")]
pub(super) struct NewCampaignPage {
    signed_in_as: Option<Me>,
    /// Slug and name of each workspace where the user may create campaigns.
    workspaces: Vec<(String, String)>,
    regimes: Vec<(String, String)>,
    problem: Option<String>,
    // What was typed, kept when the form comes back.
    workspace: String,
    title: String,
    description: String,
    prefix: String,
    regime: String,
    subject: String,
    body: String,
    regions: String,
    all: bool,
}

pub async fn form(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    // The workspace the user is working in is the one chosen.
    let workspace = Me::of(&session, &actor).current.unwrap_or_default();
    let page = NewCampaignPage {
        workspace,
        body: SAMPLE_BODY.into(),
        subject: "Freedom of Information request {{request.reference}}".into(),
        regime: "foia".into(),
        all: true,
        ..blank(&svc, &session, &actor)?
    };
    html(page)
}

pub async fn create(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let posted = Posted::parse(&body);
    let text = |name: &str| posted.first(name).unwrap_or_default().to_string();
    let optional = |name: &str| posted.filled(name).map(str::to_string);
    let regions: Vec<String> = text("regions")
        .split([',', '\n'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    let all = posted.first("to") != Some("regions");
    let input = NewCampaignInput {
        title: text("title").trim().to_string(),
        description: optional("description"),
        reference_prefix: optional("prefix"),
        subject_template: text("subject"),
        body_template: text("body").replace("\r\n", "\n"),
        regime: optional("regime"),
        // One or the other, never both: regions typed under "every body" must not widen it.
        targets: if all {
            Targets { all: true, ..Targets::default() }
        } else {
            Targets { regions: regions.clone(), ..Targets::default() }
        },
        workspace: optional("workspace"),
    };
    let (svc2, actor2) = (svc.clone(), actor.clone());
    let problem = match web::block(move || svc2.create_campaign(&actor2, input, london::today())).await? {
        Ok(made) => {
            let to = format!("/campaigns/{}", made.campaign.id);
            return Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish());
        }
        Err(e) => PageError::on_form(e)?,
    };
    let page = NewCampaignPage {
        problem: Some(problem),
        workspace: text("workspace"),
        title: text("title"),
        description: text("description"),
        prefix: text("prefix"),
        regime: text("regime"),
        subject: text("subject"),
        body: text("body"),
        regions: regions.join(", "),
        all,
        ..blank(&svc, &session, &actor)?
    };
    let mut response = html(page)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// The form's choices: the workspaces the user may create campaigns in, and the laws.
fn blank(svc: &Service, session: &Session, actor: &Actor) -> Result<NewCampaignPage, PageError> {
    let workspaces: Vec<(String, String)> = actor
        .workspaces
        .iter()
        .filter(|m| !m.archived && m.role.can_manage_campaigns())
        .map(|m| (m.workspace.clone(), m.name.clone()))
        .collect();
    if workspaces.is_empty() {
        return Err(PageError::refused(
            StatusCode::FORBIDDEN,
            "Creating a campaign takes the researcher or owner role in a workspace.",
        ));
    }
    let regimes = svc
        .list_regimes()?
        .into_iter()
        .map(|r| (r.name.clone(), format!("{} ({})", r.name, r.description)))
        .collect();
    Ok(NewCampaignPage {
        signed_in_as: Some(Me::of(session, actor)),
        workspaces,
        regimes,
        ..NewCampaignPage::default()
    })
}
