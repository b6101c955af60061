//! Users and API tokens endpoints (admin only): `/api/v1/users`, `/api/v1/tokens`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{self, Identity};
use crate::error::{ApiError, ApiResult};
use crate::rest::{Body, St, ok, page, valid_token};
use crate::users::{self, Role};

pub(super) async fn users(State(st): St, Extension(id): Extension<Identity>) -> ApiResult {
    id.require_admin()?;
    let items: Vec<Value> = st.users.list_users().iter().map(|u| json!(u)).collect();
    let n = items.len();
    ok(page(items, n, 0, n))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewUser {
    name: String,
    password: String,
    role: Role,
}

pub(super) async fn add_user(
    State(st): St,
    Extension(id): Extension<Identity>,
    body: Result<Json<NewUser>, JsonRejection>,
) -> ApiResult {
    id.require_admin()?;
    let u = Body::from(body)?;
    if !users::valid_name(&u.name) {
        return Err(ApiError::bad("name: 1 to 32 of A-Z a-z 0-9 _ . -"));
    }
    if u.password.len() < 8 || u.password.len() > 1024 {
        return Err(ApiError::bad("password: 8 to 1024 bytes"));
    }
    if st.users.role_of(&u.name).is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("user {:?} exists", u.name),
        ));
    }
    let s = st.clone();
    let (name, role) = (u.name.clone(), u.role);
    tokio::task::spawn_blocking(move || s.users.add_user(&u.name, &u.password, u.role))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::new(StatusCode::CONFLICT, e.to_string()))?;
    tracing::info!(
        "web: user {name:?} ({}) added by {:?}",
        role.name(),
        id.user
    );
    let mut r = Json(json!({"name": name, "role": role})).into_response();
    *r.status_mut() = StatusCode::CREATED;
    Ok(r)
}

pub(super) async fn remove_user(
    State(st): St,
    Extension(id): Extension<Identity>,
    Path(name): Path<String>,
) -> ApiResult {
    id.require_admin()?;
    if !users::valid_name(&name) {
        return Err(ApiError::bad("name: 1 to 32 of A-Z a-z 0-9 _ . -"));
    }
    let (s, n) = (st.clone(), name.clone());
    let removed = tokio::task::spawn_blocking(move || s.users.remove_user(&n))
        .await
        .map_err(ApiError::internal)?;
    match removed {
        Ok(true) => {
            auth::forget_user(&st, &name);
            tracing::info!("web: user {name:?} removed by {:?}", id.user);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Ok(false) => Err(ApiError::not_found(format!("no user {name:?}"))),
        Err(e) => Err(ApiError::new(StatusCode::CONFLICT, e.to_string())),
    }
}

pub(super) async fn tokens(State(st): St, Extension(id): Extension<Identity>) -> ApiResult {
    id.require_admin()?;
    let items: Vec<Value> = st.users.list_tokens().iter().map(|t| json!(t)).collect();
    let n = items.len();
    ok(page(items, n, 0, n))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewToken {
    name: String,
    /// The user the token acts as (default: the caller).
    user: Option<String>,
}

pub(super) async fn add_token(
    State(st): St,
    Extension(id): Extension<Identity>,
    body: Result<Json<NewToken>, JsonRejection>,
) -> ApiResult {
    id.require_admin()?;
    let t = Body::from(body)?;
    if !users::valid_name(&t.name) {
        return Err(ApiError::bad("name: 1 to 32 of A-Z a-z 0-9 _ . -"));
    }
    let user = t.user.unwrap_or_else(|| id.user.clone());
    if st.users.role_of(&user).is_none() {
        return Err(ApiError::bad(format!("user: no user {user:?}")));
    }
    let (s, u) = (st.clone(), user.clone());
    let (info, secret) = tokio::task::spawn_blocking(move || s.users.add_token(&u, &t.name))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    tracing::info!(
        "web: token {:?} for {user:?} created by {:?}",
        info.name,
        id.user
    );
    let mut v = json!(info);
    v["token"] = json!(secret);
    let mut r = Json(v).into_response();
    *r.status_mut() = StatusCode::CREATED;
    Ok(r)
}

pub(super) async fn remove_token(
    State(st): St,
    Extension(id): Extension<Identity>,
    Path(tid): Path<String>,
) -> ApiResult {
    id.require_admin()?;
    if !valid_token(&tid) {
        return Err(ApiError::bad("token id: expected letters, digits, - or _"));
    }
    let (s, t) = (st.clone(), tid.clone());
    let removed = tokio::task::spawn_blocking(move || s.users.remove_token(&t))
        .await
        .map_err(ApiError::internal)?;
    match removed {
        Ok(true) => Ok(StatusCode::NO_CONTENT.into_response()),
        Ok(false) => Err(ApiError::not_found(format!("no token {tid:?}"))),
        Err(e) => Err(ApiError::internal(e)),
    }
}
