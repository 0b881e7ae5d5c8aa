//! Finding public bodies (importing them is in `authority_import`).

use super::convert;
use super::views::AuthorityView;
use super::{Page, Paging, Service, ServiceError, ServiceResult};
use crate::store::authorities::{self, AuthorityFilter};

/// Filters for listing bodies, shared by the API and the CLI.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuthorityQuery {
    /// Only bodies in this region (any case).
    pub region: Option<String>,
    /// Only bodies with this tag.
    pub tag: Option<String>,
    /// Text in the name, or an exact ODS code.
    pub q: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4_294_967_295_i64)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

impl Service {
    pub fn search_authorities(&self, query: &AuthorityQuery) -> ServiceResult<Page<AuthorityView>> {
        let paging = Paging::new(query.page, query.per_page)?;
        super::check_text(
            [("region", &query.region), ("tag", &query.tag), ("q", &query.q)]
                .map(|(field, v)| (field, v.as_deref().unwrap_or(""))),
        )?;
        let text = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let filter = AuthorityFilter {
            region: text(&query.region),
            tag: text(&query.tag),
            q: text(&query.q),
            ids: None,
        };
        self.list_authorities(&filter, paging)
    }

    pub fn list_authorities(
        &self,
        filter: &AuthorityFilter,
        paging: Paging,
    ) -> ServiceResult<Page<AuthorityView>> {
        let mut conn = self.db().conn()?;
        let total = authorities::count(&mut conn, filter)?;
        let items = authorities::list(&mut conn, filter, paging.limit(), paging.offset())?
            .into_iter()
            .map(convert::authority)
            .collect();
        Ok(Page { items, total, page: paging.page, per_page: paging.per_page })
    }

    pub fn authority(&self, id: i64) -> ServiceResult<AuthorityView> {
        authorities::by_id(&mut *self.db().conn()?, id)?
            .map(convert::authority)
            .ok_or_else(|| ServiceError::NotFound(format!("No public body has the id {id}.")))
    }
}
