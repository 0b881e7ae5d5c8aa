//! JSON request bodies that must be objects.
//!
//! serde's derived reader also takes a struct written as an array of its fields in order
//! (`[null, null]` for `{"user_email": null, "label": null}`), which no client means and the
//! OpenAPI document does not allow. `JsonObject` reads the body as an object first, through the
//! same `JsonConfig` (size limit, content type, error handler) as `web::Json`, and only then as
//! the input type.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::problem::unfit_json;

pub struct JsonObject<T>(pub T);

impl<T> JsonObject<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let object = web::Json::<Map<String, Value>>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(object) = object.await?;
            serde_json::from_value(Value::Object(object)).map(JsonObject).map_err(|e| unfit_json(&e).into())
        })
    }
}
