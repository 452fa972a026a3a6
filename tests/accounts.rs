//! Foundation: setup, registration, login, sessions, CSRF, guards, throttling, headers.

mod common;

use actix_web::http::StatusCode;
use common::{spawn_app, PASSWORD};
use diesel::prelude::*;
use quillbook::accounts::queries;
use quillbook::admin::settings;
use quillbook::db::schema::{sessions, users};

fn user_count(app: &common::TestApp) -> i64 {
    users::table.count().get_result(&mut *app.conn()).unwrap()
}

fn user_id(app: &common::TestApp, name: &str) -> i64 {
    queries::find_by_username(&mut app.conn(), name)
        .unwrap()
        .expect("user exists")
        .id
}

#[actix_web::test]
async fn every_page_leads_to_setup_until_the_first_admin_exists() {
    let app = spawn_app().await;
    let visitor = app.client();
    for path in ["/", "/login", "/register", "/account", "/admin"] {
        let resp = visitor.get(path).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(resp.location(), Some("/setup"), "{path}");
    }
    let page = visitor.get("/setup").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Set up your site"));

    let resp = visitor.setup("Admin").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.location(), Some("/"));
    let role: String = users::table
        .select(users::role)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(role, "admin");

    // Setup logs the admin in; the home page renders with the stylesheet.
    let home = visitor.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body.contains("Welcome, admin!"),
        "flash shown: {}",
        home.body
    );
    assert!(
        home.body.contains(r#"href="/admin""#),
        "admin link in the header"
    );
    let css_link = home
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap();
    let css_url = &css_link[..css_link.find('"').unwrap()];
    let css = visitor.get(css_url).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(css.header("cache-control").unwrap().contains("immutable"));
    let etag = css.header("etag").unwrap().to_owned();
    let again = visitor
        .send_with_header("/static/css/app.css", ("if-none-match", &etag))
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // Setup is closed now, for everyone.
    assert_eq!(visitor.get("/setup").await.status, StatusCode::NOT_FOUND);
    let late = app.client();
    assert_eq!(late.get("/setup").await.status, StatusCode::NOT_FOUND);
    let resp = late
        .post(
            "/setup",
            &[
                ("username", "eve"),
                ("email", "e@example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    assert_eq!(user_count(&app), 1);
}

#[actix_web::test]
async fn registration_open_and_closed() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let bob = app.member("bob").await;
    let account = bob.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("bob@example.com"));
    let role: String = users::table
        .filter(users::username.eq("bob"))
        .select(users::role)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(role, "member");

    settings::set_registration_open(&mut app.conn(), false).unwrap();
    let carol = app.client();
    assert_eq!(carol.get("/register").await.status, StatusCode::FORBIDDEN);
    let resp = carol.register("carol").await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert!(resp.body.contains("Registration is closed"));
    assert_eq!(user_count(&app), 2);
    assert!(!carol
        .get("/login")
        .await
        .body
        .contains(r#"href="/register""#));
}

#[actix_web::test]
async fn bad_signup_is_shown_again_with_values_and_messages() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let visitor = app.client();
    let resp = visitor
        .post(
            "/register",
            &[
                ("username", "dave"),
                ("email", "not-an-email"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.body.contains(r#"value="dave""#), "username kept");
    assert!(resp.body.contains(r#"value="not-an-email""#), "email kept");
    assert!(resp
        .body
        .contains("Enter an email address like name@example.com."));
    assert!(resp.body.contains("Use at least 10 characters."));
    assert!(resp.body.contains(r#"aria-describedby="email-error""#));
    assert!(
        !resp.body.contains(r#"value="short""#),
        "passwords are never echoed"
    );

    let taken = visitor.register("admin").await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("That username is taken"));
    assert_eq!(user_count(&app), 1);
}

#[actix_web::test]
async fn login_wrong_password_and_logout() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    assert_eq!(admin.logout().await.status, StatusCode::SEE_OTHER);
    let sessions_left: i64 = sessions::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(sessions_left, 0, "logout deletes the session row");
    let resp = admin.get("/account").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);

    let wrong = admin.login("admin", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Wrong username or password."));
    let unknown = admin.login("nobody", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("Wrong username or password."),
        "same message for unknown users"
    );
    assert!(unknown.body.contains(r#"value="nobody""#));

    let ok = admin.login("ADMIN", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), Some("/"));
    assert_eq!(admin.get("/account").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn login_follows_only_local_next() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin.logout().await;

    let anonymous = admin.get("/account").await;
    assert_eq!(anonymous.location(), Some("/login?next=%2Faccount"));
    let form = admin.get("/login?next=%2Faccount").await;
    assert!(form.body.contains(r#"name="next" value="/account""#));
    let ok = admin
        .post(
            "/login",
            &[
                ("username", "admin"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(ok.location(), Some("/account"));
    admin.logout().await;

    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let resp = admin
            .post(
                "/login",
                &[
                    ("username", "admin"),
                    ("password", PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER);
        assert_eq!(
            resp.location(),
            Some("/"),
            "next={evil} must not leave the site"
        );
        admin.logout().await;
    }
}

#[actix_web::test]
async fn post_without_valid_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let visitor = app.client();
    visitor.get("/register").await;
    let fields = [
        ("username", "mallory"),
        ("email", "m@example.com"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];

    let missing = visitor.post_raw("/register", &fields).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let mut forged = fields.to_vec();
    forged.push(("csrf_token", "forged"));
    assert_eq!(
        visitor.post_raw("/register", &forged).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(user_count(&app), 1, "nothing was written");

    // A valid token from another site is refused too.
    let token = visitor.csrf_token().await;
    let mut with_token = fields.to_vec();
    with_token.push(("csrf_token", &token));
    let cross = visitor
        .post_with_header("/register", &with_token, ("origin", "https://evil.example"))
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert_eq!(user_count(&app), 1);

    // Multipart bodies are checked too.
    let multipart = visitor.post_multipart_raw("/register", &fields, &[]).await;
    assert_eq!(multipart.status, StatusCode::FORBIDDEN);
    let mut forged_multipart = vec![("csrf_token", "forged")];
    forged_multipart.extend_from_slice(&fields);
    assert_eq!(
        visitor
            .post_multipart_raw("/register", &forged_multipart, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(user_count(&app), 1);

    // Logout without a token does not log out.
    let member = app.member("bob").await;
    assert_eq!(
        member.post_raw("/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(member.get("/account").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn guards_redirect_anonymous_and_refuse_wrong_roles() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let member = app.member("bob").await;
    let anonymous = app.client();

    let resp = anonymous.get("/admin").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.location(), Some("/login?next=%2Fadmin"));
    let resp = member.get("/admin").await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert!(resp.body.contains("Not allowed"));
    let resp = admin.get("/admin").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert!(resp
        .body
        .contains(r#"<span class="stat">2</span> accounts"#));

    // A role change applies at once: it is read on every request.
    queries::set_role(
        &mut app.conn(),
        user_id(&app, "bob"),
        quillbook::accounts::models::Role::Admin,
    )
    .unwrap();
    assert_eq!(member.get("/admin").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn disabling_a_user_ends_their_sessions() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let bob = app.member("bob").await;
    assert_eq!(bob.get("/account").await.status, StatusCode::OK);

    queries::set_disabled(&mut app.conn(), user_id(&app, "bob"), true).unwrap();
    let resp = bob.get("/account").await;
    assert_eq!(
        resp.status,
        StatusCode::SEE_OTHER,
        "the session no longer works"
    );
    let again = bob.login("bob", PASSWORD).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("Wrong username or password."));
}

#[actix_web::test]
async fn password_change_ends_other_sessions() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let laptop = app.member("bob").await;
    let phone = app.client();
    assert_eq!(
        phone.login("bob", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let page = laptop.get("/account").await;
    assert_eq!(
        page.body.matches("Sign out<span").count(),
        2,
        "both sessions listed"
    );

    let new = "a brand new passphrase";
    let wrong = laptop
        .post(
            "/account",
            &[
                ("email", "bob@example.com"),
                ("current_password", "wrong password!"),
                ("new_password", new),
                ("new_password_confirm", new),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("That is not your current password."));
    assert_eq!(
        phone.get("/account").await.status,
        StatusCode::OK,
        "nothing changed"
    );

    let ok = laptop
        .post(
            "/account",
            &[
                ("email", "bob@example.org"),
                ("current_password", PASSWORD),
                ("new_password", new),
                ("new_password_confirm", new),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let account = laptop.get("/account").await;
    assert_eq!(account.status, StatusCode::OK, "this session continues");
    assert!(account.body.contains("Your password is changed"));
    assert!(account.body.contains("bob@example.org"));
    assert_eq!(
        phone.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    assert_eq!(
        phone.login("bob", PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(phone.login("bob", new).await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_user_can_sign_out_one_of_their_sessions_but_not_others() {
    let app = spawn_app().await;
    let _admin = app.admin().await;
    let laptop = app.member("bob").await;
    let phone = app.client();
    phone.login("bob", PASSWORD).await;
    let eve = app.member("eve").await;

    let ids: Vec<i64> = sessions::table
        .inner_join(users::table)
        .filter(users::username.eq("bob"))
        .select(sessions::id)
        .order_by(sessions::id)
        .load(&mut *app.conn())
        .unwrap();
    let phone_session = ids[1];
    let resp = eve
        .post(&format!("/account/sessions/{phone_session}/delete"), &[])
        .await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND, "not eve's session");
    assert_eq!(phone.get("/account").await.status, StatusCode::OK);
    let anon = app.client();
    let resp = anon
        .post(&format!("/account/sessions/{phone_session}/delete"), &[])
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert!(resp.location().unwrap().starts_with("/login"));

    let resp = laptop
        .post(&format!("/account/sessions/{phone_session}/delete"), &[])
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn repeated_failures_are_throttled() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin.logout().await;
    for _ in 0..5 {
        assert_eq!(
            admin.login("admin", "wrong password").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let blocked = admin.login("admin", PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.body.contains("Too many failed logins"));
    assert!(blocked.header("retry-after").is_some());

    // The username is throttled from every address…
    let elsewhere = app.client();
    assert_eq!(
        elsewhere.login("admin", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …and the address for every username.
    let _bob = app.member("bob").await;
    assert_eq!(
        admin.login("bob", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let fresh = app.client();
    assert_eq!(
        fresh.login("bob", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[actix_web::test]
async fn security_headers_on_pages_and_errors() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for path in ["/", "/no/such/page", "/admin"] {
        let resp = admin.get(path).await;
        let csp = resp.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(
            resp.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(resp.header("referrer-policy").is_some(), "{path}");
        assert!(resp.header("permissions-policy").is_some(), "{path}");
    }
    let missing = admin.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Page not found"));

    let cookie = admin.get("/login").await;
    let _ = cookie; // the session cookie was set at setup:
    let setup_cookie = app.client();
    let page = setup_cookie.get("/login").await;
    let set_cookie = page.header("set-cookie").unwrap_or_default().to_lowercase();
    assert!(
        set_cookie.contains("httponly") && set_cookie.contains("samesite=lax"),
        "{set_cookie}"
    );
}

#[actix_web::test]
async fn healthz_reports_the_database() {
    let app = spawn_app().await;
    let resp = app.client().get("/healthz").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert!(resp
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(resp.body.contains(r#""database":"ok""#));
}
