//! `POST /articles/{slug}/comments`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::models::{self, Moderation, Posted};
use super::queries;
use crate::app::AppState;
use crate::blog::routes::{show_article, CommentDraft};
use crate::db::now;
use crate::web::{flash, see_other, AppError, Ctx};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/articles/{slug}/comments").route(web::post().to(post_comment)));
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    pub body: String,
    /// The honeypot: hidden from people, filled in by bots.
    pub website: String,
}

async fn post_comment(
    ctx: Ctx,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let article_url = format!("/articles/{slug}");
    let user = ctx.user.as_ref().ok_or_else(|| AppError::LoginRequired {
        next: format!("{article_url}#comments"),
    })?;
    let lookup = slug.clone();
    let (article, _) = state
        .db
        .run(move |conn| crate::blog::queries::find_by_slug(conn, &lookup).map_err(AppError::from))
        .await?
        .ok_or(AppError::NotFound)?;
    if !article.is_public(now()) {
        return Err(AppError::NotFound);
    }
    let form = form.into_inner();
    if !form.website.is_empty() {
        tracing::info!(user = user.username, "comment dropped by the honeypot");
        flash::success(&session, "Thank you for your comment.");
        return Ok(see_other(&format!("{article_url}#comments")));
    }
    let body = match models::validate_body(&form.body) {
        Ok(body) => body.to_owned(),
        Err(message) => {
            let draft = CommentDraft {
                body: form.body,
                error: Some(message),
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            return show_article(&ctx, &state, slug, draft).await;
        }
    };
    let html = crate::blog::markdown::render_comment(&body);
    let moderation = Moderation::parse(&ctx.site.moderation).unwrap_or(Moderation::FirstTime);
    let (user_id, role, article_id) = (user.id, user.role, article.id);
    let posted = state
        .db
        .run(move |conn| {
            queries::post(conn, article_id, user_id, role, moderation, &body, &html)
                .map_err(AppError::from)
        })
        .await?;
    match posted {
        Posted::RateLimited => Err(AppError::TooManyRequests(
            "You are commenting very fast. Please wait a minute and try again.".into(),
        )),
        Posted::Published => {
            flash::success(&session, "Your comment is published.");
            Ok(see_other(&format!("{article_url}#comments")))
        }
        Posted::AwaitsModeration => {
            flash::success(
                &session,
                "Thank you! Your comment will appear once a moderator approves it.",
            );
            Ok(see_other(&format!("{article_url}#comments")))
        }
    }
}
