//! Comments, moderation and the admin area.

mod common;

use actix_web::http::StatusCode;
use common::{spawn_app, TestApp, TestClient, PASSWORD};
use diesel::prelude::*;
use quillbook::accounts::queries as users_q;
use quillbook::db::schema::{
    article_tags, articles, audit_log, comments, expense_categories, expenses, sessions, tags,
    users,
};

fn user_id(app: &TestApp, name: &str) -> i64 {
    users_q::find_by_username(&mut app.conn(), name)
        .unwrap()
        .expect("user")
        .id
}

fn comment_ids(app: &TestApp, status: &str) -> Vec<i64> {
    comments::table
        .filter(comments::status.eq(status))
        .order_by(comments::id)
        .select(comments::id)
        .load(&mut *app.conn())
        .unwrap()
}

async fn comment(client: &TestClient, slug: &str, body: &str) -> common::Resp {
    client
        .post(
            &format!("/articles/{slug}/comments"),
            &[("body", body), ("website", "")],
        )
        .await
}

async fn set_moderation(admin: &TestClient, rule: &str) {
    let resp = admin
        .post(
            "/admin/settings",
            &[
                ("site_title", "Quillbook"),
                ("site_description", "d"),
                ("registration_open", "on"),
                ("moderation", rule),
                ("articles_per_page", "10"),
                ("currency", "EUR"),
                ("session_idle_days", "14"),
                ("session_max_days", "90"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
}

#[actix_web::test]
async fn first_comment_waits_then_later_ones_publish_and_spam_disappears() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.author("ann").await;
    author.write_article("Hello", "Body", "", "published").await;
    let member = app.member("max").await;
    let reader = app.client();

    let resp = comment(&member, "hello", "First *comment*").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.location(), Some("/articles/hello#comments"));
    let page = member.get("/articles/hello").await;
    assert!(page
        .body
        .contains("will appear once a moderator approves it"));
    assert!(
        !page.body.contains("First <em>comment</em>"),
        "pending comments are not public"
    );
    assert!(reader.get("/").await.body.contains("0 comments"));

    let queue = admin.get("/admin/comments").await;
    assert!(queue.body.contains("First <em>comment</em>") && queue.body.contains("pending (1)"));
    let id = comment_ids(&app, "pending")[0];
    let resp = admin
        .post(&format!("/admin/comments/{id}/approve?from=pending"), &[])
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(resp.location(), Some("/admin/comments?status=pending"));
    let page = reader.get("/articles/hello").await;
    assert!(
        page.body.contains("First <em>comment</em>") && page.body.contains("<strong>max</strong>")
    );
    assert!(reader.get("/").await.body.contains("1 comment"));

    let resp = comment(&member, "hello", "Second one").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert!(member
        .get("/articles/hello")
        .await
        .body
        .contains("Your comment is published."));
    assert!(
        reader
            .get("/articles/hello")
            .await
            .body
            .contains("Second one"),
        "published at once"
    );

    let second = *comment_ids(&app, "approved").last().unwrap();
    admin
        .post(&format!("/admin/comments/{second}/spam"), &[])
        .await;
    assert!(
        !reader
            .get("/articles/hello")
            .await
            .body
            .contains("Second one"),
        "spam disappears"
    );
    assert!(admin
        .get("/admin/comments?status=spam")
        .await
        .body
        .contains("Second one"));
    admin
        .post(&format!("/admin/comments/{second}/delete"), &[])
        .await;
    assert!(!admin
        .get("/admin/comments?status=spam")
        .await
        .body
        .contains("Second one"));

    let audit = admin.get("/admin/audit").await;
    assert!(
        audit.body.contains("comment.approve")
            && audit.body.contains("comment.spam")
            && audit.body.contains("comment.delete")
    );
    assert!(
        audit.body.contains(&format!("comment #{id}")) && audit.body.contains("<td>admin</td>")
    );
}

#[actix_web::test]
async fn moderation_rules_all_and_none_and_trusted_authors() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.author("ann").await;
    author.write_article("Hello", "Body", "", "published").await;
    let member = app.member("max").await;

    comment(&author, "hello", "By the author").await;
    assert_eq!(
        comment_ids(&app, "approved").len(),
        1,
        "authors publish at once"
    );

    set_moderation(&admin, "none").await;
    comment(&member, "hello", "Unmoderated").await;
    assert_eq!(comment_ids(&app, "approved").len(), 2);

    set_moderation(&admin, "all").await;
    comment(&member, "hello", "Moderated").await;
    assert_eq!(
        comment_ids(&app, "pending").len(),
        1,
        "with 'all' even a known member waits"
    );
    comment(&admin, "hello", "By the admin").await;
    assert_eq!(comment_ids(&app, "approved").len(), 3);
}

#[actix_web::test]
async fn comments_are_checked_sanitised_and_guarded() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.author("ann").await;
    author.write_article("Hello", "Body", "", "published").await;
    author.write_article("Draft", "Body", "", "draft").await;
    let member = app.member("max").await;
    set_moderation(&admin, "none").await;

    let empty = comment(&member, "hello", "   ").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("the comment is empty"));
    let long = "x".repeat(5001);
    let too_long = comment(&member, "hello", &long).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_long.body.contains("at most 5000 characters")
            || too_long.body.contains("at most 5,000 characters")
    );
    assert!(too_long.body.contains(&long), "the text is kept");

    let honeypot = member
        .post(
            "/articles/hello/comments",
            &[("body", "Buy pills"), ("website", "http://spam.example")],
        )
        .await;
    assert_eq!(honeypot.status, StatusCode::SEE_OTHER, "bots see success");
    assert_eq!(
        comment(&member, "draft", "Hi").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        comment(&member, "nope", "Hi").await.status,
        StatusCode::NOT_FOUND
    );
    let anonymous = app.client();
    let resp = comment(&anonymous, "hello", "Anon").await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert!(resp.location().unwrap().starts_with("/login?next="));
    let count: i64 = comments::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(count, 0, "nothing stored by refused comments");

    comment(&member, "hello", "# Heading\n\n**ok** ![i](https://e.x/i.png) [l](javascript:alert(1))\n\n<script>alert(1)</script>").await;
    let page = app.client().get("/articles/hello").await;
    assert!(page.body.contains("<strong>ok</strong>"));
    assert!(!page.body.contains("<script>alert"), "script removed");
    assert!(
        !page.body.contains("<img src=\"https://e.x"),
        "no images in comments"
    );
    assert!(!page.body.contains("javascript:"));
    assert!(
        !page.body.contains("<h1>Heading"),
        "no headings in comments"
    );
}

#[actix_web::test]
async fn members_are_rate_limited_authors_are_not() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.author("ann").await;
    author.write_article("Hello", "Body", "", "published").await;
    let member = app.member("max").await;
    set_moderation(&admin, "none").await;
    for i in 0..5 {
        assert_eq!(
            comment(&member, "hello", &format!("c{i}")).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let limited = comment(&member, "hello", "one too many").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("wait a minute"));
    for i in 0..7 {
        assert_eq!(
            comment(&author, "hello", &format!("a{i}")).await.status,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(comment_ids(&app, "approved").len(), 12);
}

#[actix_web::test]
async fn admins_cannot_demote_disable_or_delete_themselves_or_the_last_admin() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let me = user_id(&app, "admin");
    for (path, fields) in [
        (format!("/admin/users/{me}/role"), vec![("role", "member")]),
        (format!("/admin/users/{me}/disable"), vec![]),
        (
            format!("/admin/users/{me}/delete"),
            vec![("content", "keep")],
        ),
    ] {
        let resp = admin.post(&path, &fields).await;
        assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(resp.body.contains("your own account"), "{path}");
    }
    let role: String = users::table
        .find(me)
        .select(users::role)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(role, "admin");
    assert_eq!(
        admin.get("/admin").await.status,
        StatusCode::OK,
        "still an active admin"
    );

    // A second admin can be demoted by the first, and the rule holds for them too.
    let _bob = app.member("bob").await;
    let bob = user_id(&app, "bob");
    admin
        .post(&format!("/admin/users/{bob}/role"), &[("role", "admin")])
        .await;
    let bob_client = app.client();
    bob_client.login("bob", PASSWORD).await;
    assert_eq!(bob_client.get("/admin").await.status, StatusCode::OK);
    let resp = bob_client
        .post(&format!("/admin/users/{me}/role"), &[("role", "author")])
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(
        admin.get("/admin").await.status,
        StatusCode::FORBIDDEN,
        "the demotion applies at once"
    );
    let resp = bob_client
        .post(&format!("/admin/users/{bob}/role"), &[("role", "member")])
        .await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bob is now the last admin"
    );
    let bad = bob_client
        .post(&format!("/admin/users/{me}/role"), &[("role", "emperor")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn disabling_a_user_ends_their_sessions_and_enabling_restores_login() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let member = app.member("max").await;
    let id = user_id(&app, "max");
    assert_eq!(
        admin
            .post(&format!("/admin/users/{id}/disable"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        member.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "session ended"
    );
    let sessions_left: i64 = sessions::table
        .filter(sessions::user_id.eq(id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(sessions_left, 0);
    assert_eq!(
        member.login("max", PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    admin.post(&format!("/admin/users/{id}/enable"), &[]).await;
    assert_eq!(
        member.login("max", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let audit = admin.get("/admin/audit").await;
    assert!(audit.body.contains("user.disable") && audit.body.contains("user.enable"));
}

/// Rows pointing at something that no longer exists.
fn orphans(app: &TestApp) -> i64 {
    let mut conn = app.conn();
    let user_ids = users::table.select(users::id);
    let article_ids = articles::table.select(articles::id);
    let a: i64 = articles::table
        .filter(articles::author_id.ne_all(user_ids))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let c1: i64 = comments::table
        .filter(comments::author_id.ne_all(user_ids))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let c2: i64 = comments::table
        .filter(comments::article_id.ne_all(article_ids))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let t: i64 = article_tags::table
        .filter(article_tags::article_id.ne_all(article_ids))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let s: i64 = sessions::table
        .filter(sessions::user_id.ne_all(user_ids))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    a + c1 + c2 + t + s
}

#[actix_web::test]
async fn deleting_a_user_with_each_choice_leaves_no_orphans() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ann = app.author("ann").await;
    let bea = app.author("bea").await;
    let max = app.member("max").await;
    set_moderation(&admin, "none").await;
    ann.write_article("Ann one", "x", "shared", "published")
        .await;
    ann.write_article("Ann two", "x", "", "draft").await;
    bea.write_article("Bea one", "x", "shared", "published")
        .await;
    comment(&max, "ann-one", "max on ann").await;
    comment(&ann, "bea-one", "ann on bea").await;
    comment(&bea, "ann-one", "bea on ann").await;

    // Max keeps expenses: they always go with the account.
    assert_eq!(max.get("/expenses").await.status, StatusCode::OK);
    let max_id = user_id(&app, "max");
    let food: i64 = expense_categories::table
        .filter(expense_categories::user_id.eq(max_id))
        .select(expense_categories::id)
        .first(&mut *app.conn())
        .unwrap();
    let food = food.to_string();
    let resp = max
        .post(
            "/expenses",
            &[
                ("spent_on", "2026-11-02"),
                ("amount", "12.50"),
                ("category_id", &food),
                ("description", "Lunch"),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);

    let missing = admin
        .post(
            &format!("/admin/users/{}/delete", user_id(&app, "ann")),
            &[],
        )
        .await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the choice is explicit"
    );
    assert!(missing.body.contains("Choose whether to delete"));

    // Keep: ann's articles and comments stay, under the placeholder.
    let ann_id = user_id(&app, "ann");
    let resp = admin
        .post(
            &format!("/admin/users/{ann_id}/delete"),
            &[("content", "keep")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ann.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "ann's session is gone"
    );
    let page = app.client().get("/articles/ann-one").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("/authors/deleted-user"));
    assert!(app
        .client()
        .get("/articles/bea-one")
        .await
        .body
        .contains("ann on bea"));
    assert_eq!(orphans(&app), 0);

    // Delete: bea's articles go with the comments on them (max's and others'), and her own comments.
    let bea_id = user_id(&app, "bea");
    let resp = admin
        .post(
            &format!("/admin/users/{bea_id}/delete"),
            &[("content", "delete")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.client().get("/articles/bea-one").await.status,
        StatusCode::NOT_FOUND
    );
    let texts: Vec<String> = comments::table
        .order_by(comments::id)
        .select(comments::body_source)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        texts,
        vec!["max on ann"],
        "bea's comment and the comments on her article are gone"
    );
    assert_eq!(orphans(&app), 0);
    let audit = admin.get("/admin/audit").await;
    assert!(
        audit.body.contains("user.delete (content kept)")
            && audit.body.contains("user.delete (content deleted)")
    );

    // Deleting max takes his expense tracker with him, whatever the choice.
    let resp = admin
        .post(
            &format!("/admin/users/{max_id}/delete"),
            &[("content", "keep")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    let left: i64 = expenses::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    let categories: i64 = expense_categories::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (left, categories),
        (0, 0),
        "no expense or category outlives its owner"
    );
    assert_eq!(orphans(&app), 0);
}

#[actix_web::test]
async fn tags_can_be_renamed_merged_and_deleted() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ann = app.author("ann").await;
    ann.write_article("One", "x", "Rust, Web", "published")
        .await;
    ann.write_article("Two", "x", "rustlang", "published").await;
    let id_of = |slug: &str| -> i64 {
        tags::table
            .filter(tags::slug.eq(slug))
            .select(tags::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let (rust, web, rustlang) = (id_of("rust"), id_of("web"), id_of("rustlang"));

    let clash = admin
        .post(
            &format!("/admin/tags/{rustlang}/rename"),
            &[("name", "RUST")],
        )
        .await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(clash.body.contains("merge"));
    let ok = admin
        .post(
            &format!("/admin/tags/{web}/rename"),
            &[("name", "Web Development")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(app
        .client()
        .get("/tags/web-development")
        .await
        .body
        .contains("One"));

    let merged = admin
        .post(
            &format!("/admin/tags/{rustlang}/merge"),
            &[("into", &rust.to_string())],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);
    let rust_page = app.client().get("/tags/rust").await;
    assert!(rust_page.body.contains("One") && rust_page.body.contains("Two"));
    assert_eq!(
        app.client().get("/tags/rustlang").await.status,
        StatusCode::NOT_FOUND
    );
    let into_self = admin
        .post(
            &format!("/admin/tags/{rust}/merge"),
            &[("into", &rust.to_string())],
        )
        .await;
    assert_eq!(into_self.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(
        admin
            .post(&format!("/admin/tags/{rust}/delete"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.client().get("/articles/one").await.status,
        StatusCode::OK,
        "articles remain"
    );
    let links: i64 = article_tags::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(links, 1, "only the web-development link is left");
    let actions: Vec<String> = audit_log::table
        .order_by(audit_log::id)
        .select(audit_log::action)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(actions, vec!["tag.rename", "tag.merge", "tag.delete"]);
}

#[actix_web::test]
async fn settings_are_validated_and_applied() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let bad = admin
        .post(
            "/admin/settings",
            &[
                ("site_title", ""),
                ("site_description", "d"),
                ("moderation", "sometimes"),
                ("articles_per_page", "0"),
                ("currency", "euro"),
                ("session_idle_days", "30"),
                ("session_max_days", "10"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "The title has 1 to 100 characters.",
        "Choose all, first-time or none.",
        "Articles per page is a whole number",
        "three-letter currency code",
        "cannot be shorter than the idle time",
    ] {
        assert!(bad.body.contains(message), "{message}");
    }
    assert!(bad.body.contains(r#"value="euro""#));
    let ok = admin
        .post(
            "/admin/settings",
            &[
                ("site_title", "My <Journal>"),
                ("site_description", "Notes"),
                ("moderation", "all"),
                ("articles_per_page", "5"),
                ("currency", "chf"),
                ("session_idle_days", "7"),
                ("session_max_days", "30"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let home = app.client().get("/").await;
    assert!(home.body.contains("My &#60;Journal&#62;") || home.body.contains("My &lt;Journal&gt;"));
    assert!(!home.body.contains("My <Journal>"));
    assert_eq!(
        app.client().get("/register").await.status,
        StatusCode::FORBIDDEN,
        "registration closed (box unticked)"
    );
    assert!(admin
        .get("/admin/audit")
        .await
        .body
        .contains("settings.update"));
}

#[actix_web::test]
async fn bulk_moderation_applies_to_every_selected_comment() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ann = app.author("ann").await;
    ann.write_article("Hello", "Body", "", "published").await;
    set_moderation(&admin, "all").await;
    let max = app.member("max").await;
    for i in 0..3 {
        comment(&max, "hello", &format!("pending {i}")).await;
    }
    let ids = comment_ids(&app, "pending");
    let token = admin.csrf_token().await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("action", "approve"),
        ("ids", &ids[0].to_string()),
        ("ids", &ids[2].to_string()),
    ];
    let resp = admin
        .post_raw("/admin/comments/bulk?from=pending", &fields)
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
    assert_eq!(comment_ids(&app, "approved"), vec![ids[0], ids[2]]);
    assert!(admin
        .get("/admin/comments")
        .await
        .body
        .contains("2 comments approved."));
    let none = admin
        .post("/admin/comments/bulk", &[("action", "spam")])
        .await;
    assert_eq!(
        none.status,
        StatusCode::SEE_OTHER,
        "nothing selected: a message, nothing changed"
    );
    assert_eq!(comment_ids(&app, "pending"), vec![ids[1]]);
    let bad = admin
        .post(
            "/admin/comments/bulk",
            &[("action", "explode"), ("ids", &ids[1].to_string())],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        admin
            .post("/admin/comments/999999/approve", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// Every admin route × anonymous, member, author and admin.
#[actix_web::test]
async fn authorisation_matrix_of_every_admin_route() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.author("ann").await;
    let member = app.member("max").await;
    let anonymous = app.client();
    author
        .write_article("Hello", "Body", "x, y", "published")
        .await;
    comment(&member, "hello", "A comment").await;
    let victim = app.member("victim").await;
    drop(victim);
    let comment_id = comment_ids(&app, "pending")[0];
    let user = user_id(&app, "victim");
    let tag_x: i64 = tags::table
        .filter(tags::slug.eq("x"))
        .select(tags::id)
        .first(&mut *app.conn())
        .unwrap();
    let tag_y: i64 = tags::table
        .filter(tags::slug.eq("y"))
        .select(tags::id)
        .first(&mut *app.conn())
        .unwrap();

    let gets = [
        "/admin",
        "/admin/comments?status=pending",
        "/admin/users",
        "/admin/tags",
        "/admin/settings",
        "/admin/audit",
    ];
    let into = tag_y.to_string();
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/admin/comments/{comment_id}/approve"), vec![]),
        (format!("/admin/comments/{comment_id}/spam"), vec![]),
        ("/admin/comments/bulk".into(), vec![("action", "approve")]),
        (format!("/admin/comments/{comment_id}/delete"), vec![]),
        (
            format!("/admin/users/{user}/role"),
            vec![("role", "author")],
        ),
        (format!("/admin/users/{user}/disable"), vec![]),
        (format!("/admin/users/{user}/enable"), vec![]),
        (format!("/admin/tags/{tag_x}/rename"), vec![("name", "Ex")]),
        (
            format!("/admin/tags/{tag_x}/merge"),
            vec![("into", into.as_str())],
        ),
        (format!("/admin/tags/{tag_y}/delete"), vec![]),
        (
            "/admin/settings".into(),
            vec![
                ("site_title", "T"),
                ("site_description", ""),
                ("moderation", "first-time"),
                ("articles_per_page", "10"),
                ("currency", "EUR"),
                ("session_idle_days", "14"),
                ("session_max_days", "90"),
            ],
        ),
        (
            format!("/admin/users/{user}/delete"),
            vec![("content", "delete")],
        ),
    ];
    let mut matrix = Vec::new();
    for path in gets {
        let cells = [
            anonymous.get(path).await.status,
            member.get(path).await.status,
            author.get(path).await.status,
            admin.get(path).await.status,
        ];
        assert_eq!(
            cells,
            [
                StatusCode::SEE_OTHER,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::OK
            ],
            "GET {path}"
        );
        matrix.push(format!("GET  {path:<40} {cells:?}"));
    }
    let audit_before: i64 = audit_log::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    for (path, fields) in &posts {
        let anon = anonymous.post(path, fields).await;
        assert_eq!(anon.status, StatusCode::SEE_OTHER, "anonymous POST {path}");
        assert!(
            anon.location().unwrap().starts_with("/login"),
            "anonymous POST {path}"
        );
        let cells = [
            anon.status,
            member.post(path, fields).await.status,
            author.post(path, fields).await.status,
        ];
        assert_eq!(
            cells[1..],
            [StatusCode::FORBIDDEN, StatusCode::FORBIDDEN],
            "POST {path}"
        );
        let audit_now: i64 = audit_log::table
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(
            audit_now, audit_before,
            "refused requests change nothing: POST {path}"
        );
        matrix.push(format!("POST {path:<40} {cells:?}"));
    }
    // Then the admin, in an order where each action still has its target.
    for (path, fields) in &posts {
        let resp = admin.post(path, fields).await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "admin POST {path}: {}",
            resp.body
        );
        matrix.push(format!("POST {path:<40} admin {:?}", resp.status));
    }
    eprintln!(
        "authorisation matrix (anonymous, member, author, admin):\n{}",
        matrix.join("\n")
    );
}
