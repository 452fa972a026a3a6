//! Over a thousand generated malformed requests across every form: wrong types,
//! huge fields, broken UTF-8 and multipart, missing fields, odd methods, bad
//! tokens. None may answer 5xx or panic, and none may write a row.

mod common;

use actix_web::http::Method;
use common::{spawn_app, TestApp, TestClient};
use diesel::prelude::*;
use quillbook::db::schema::{
    article_tags, articles, audit_log, comments, expense_budgets, expense_categories,
    expense_trackers, expenses, recurring_occurrences, recurring_rules, site_settings, tags, users,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Anonymous,
    Member,
    Author,
    Admin,
}

struct Field {
    name: &'static str,
    valid: String,
    /// Values the app must refuse for this field (each alone makes the form invalid).
    invalid: Vec<String>,
}

fn field(name: &'static str, valid: &str, invalid: &[&str]) -> Field {
    Field {
        name,
        valid: valid.to_owned(),
        invalid: invalid.iter().map(|s| s.to_string()).collect(),
    }
}

struct Endpoint {
    who: Who,
    /// The path; `GARBAGE` marks the segment a path mutation replaces.
    path: String,
    garbage_segment: Option<String>,
    fields: Vec<Field>,
}

fn endpoint(who: Who, path: String, garbage_segment: Option<&str>, fields: Vec<Field>) -> Endpoint {
    Endpoint {
        who,
        path,
        garbage_segment: garbage_segment.map(str::to_owned),
        fields,
    }
}

/// Every table an invalid request could write to (sessions and login failures are
/// written by design when a login fails, and are not counted).
fn row_counts(app: &TestApp) -> [i64; 13] {
    let mut c = app.conn();
    [
        expenses::table.count().get_result(&mut *c).unwrap(),
        expense_categories::table
            .count()
            .get_result(&mut *c)
            .unwrap(),
        expense_budgets::table.count().get_result(&mut *c).unwrap(),
        expense_trackers::table.count().get_result(&mut *c).unwrap(),
        recurring_rules::table.count().get_result(&mut *c).unwrap(),
        recurring_occurrences::table
            .count()
            .get_result(&mut *c)
            .unwrap(),
        users::table.count().get_result(&mut *c).unwrap(),
        articles::table.count().get_result(&mut *c).unwrap(),
        comments::table.count().get_result(&mut *c).unwrap(),
        tags::table.count().get_result(&mut *c).unwrap(),
        article_tags::table.count().get_result(&mut *c).unwrap(),
        audit_log::table.count().get_result(&mut *c).unwrap(),
        site_settings::table.count().get_result(&mut *c).unwrap(),
    ]
}

/// A snapshot of the rows' contents where an update (not an insert) could sneak in.
fn fingerprint(app: &TestApp) -> String {
    let mut c = app.conn();
    let u: Vec<(String, String, String, bool)> = users::table
        .order_by(users::id)
        .select((users::username, users::email, users::role, users::disabled))
        .load(&mut *c)
        .unwrap();
    let a: Vec<(String, String, String, String)> = articles::table
        .order_by(articles::id)
        .select((
            articles::title,
            articles::slug,
            articles::body_source,
            articles::status,
        ))
        .load(&mut *c)
        .unwrap();
    let cm: Vec<(String, String)> = comments::table
        .order_by(comments::id)
        .select((comments::body_source, comments::status))
        .load(&mut *c)
        .unwrap();
    let t: Vec<(String, String)> = tags::table
        .order_by(tags::id)
        .select((tags::name, tags::slug))
        .load(&mut *c)
        .unwrap();
    let s = quillbook::admin::settings::load(&mut c).unwrap();
    let e: Vec<(i64, String, i64)> = expenses::table
        .order_by(expenses::id)
        .select((
            expenses::amount_cents,
            expenses::description,
            expenses::category_id,
        ))
        .load(&mut *c)
        .unwrap();
    let ec: Vec<(String, String, bool)> = expense_categories::table
        .order_by(expense_categories::id)
        .select((
            expense_categories::name,
            expense_categories::color,
            expense_categories::archived,
        ))
        .load(&mut *c)
        .unwrap();
    let r: Vec<(i64, String, bool)> = recurring_rules::table
        .order_by(recurring_rules::id)
        .select((
            recurring_rules::amount_cents,
            recurring_rules::description,
            recurring_rules::paused,
        ))
        .load(&mut *c)
        .unwrap();
    let cur: Vec<Option<String>> = users::table
        .order_by(users::id)
        .select(users::currency)
        .load(&mut *c)
        .unwrap();
    format!("{u:?}{a:?}{cm:?}{t:?}{s:?}{e:?}{ec:?}{r:?}{cur:?}")
}

const NOISE: &[&str] = &[
    "",
    "\u{0}",
    "'; DROP TABLE users; --",
    "<script>alert(1)</script>",
    "%FF%FE%00",
    "𝕌𝕟𝕚𝕔𝕠𝕕𝕖 ✓ ﷽",
    "-1",
    "1e400",
    "9223372036854775808",
    "NaN",
    "true",
    "[]",
    "{\"a\":1}",
];

fn encode(fields: &[(String, String)]) -> Vec<u8> {
    serde_urlencoded::to_string(fields).unwrap().into_bytes()
}

#[actix_web::test]
async fn a_thousand_malformed_requests_get_4xx_and_write_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let author = app.author("ann").await;
    let member = app.member("max").await;
    let anonymous = app.client();
    anonymous.get("/login").await;
    author
        .write_article("Target", "Body", "t1, t2", "published")
        .await;
    member
        .post(
            "/articles/target/comments",
            &[("body", "A comment"), ("website", "")],
        )
        .await;
    let ids = |q: &str| -> i64 {
        let mut c = app.conn();
        match q {
            "comment" => comments::table.select(comments::id).first(&mut *c).unwrap(),
            "max" => users::table
                .filter(users::username.eq("max"))
                .select(users::id)
                .first(&mut *c)
                .unwrap(),
            "t1" => tags::table
                .filter(tags::slug.eq("t1"))
                .select(tags::id)
                .first(&mut *c)
                .unwrap(),
            _ => unreachable!(),
        }
    };
    let (comment, max, t1) = (ids("comment"), ids("max"), ids("t1"));
    // The member's tracker: categories, one expense and one recurring rule.
    assert_eq!(member.get("/expenses").await.status.as_u16(), 200);
    let max_id = max;
    let cat: i64 = expense_categories::table
        .filter(expense_categories::user_id.eq(max_id))
        .select(expense_categories::id)
        .first(&mut *app.conn())
        .unwrap();
    let cat_s = cat.to_string();
    let resp = member
        .post(
            "/expenses",
            &[
                ("spent_on", "2026-11-02"),
                ("amount", "12.50"),
                ("category_id", &cat_s),
                ("description", "Lunch"),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(resp.status.as_u16(), 303, "{}", resp.body);
    let resp = member
        .post(
            "/expenses/recurring",
            &[
                ("category_id", &cat_s),
                ("amount", "9.99"),
                ("description", "Music"),
                ("every", "1"),
                ("unit", "months"),
                ("day", "3"),
                ("starts_on", "2030-01-01"),
                ("ends_on", ""),
            ],
        )
        .await;
    assert_eq!(resp.status.as_u16(), 303, "{}", resp.body);
    let expense: i64 = expenses::table
        .select(expenses::id)
        .first(&mut *app.conn())
        .unwrap();
    let rule: i64 = recurring_rules::table
        .select(recurring_rules::id)
        .first(&mut *app.conn())
        .unwrap();
    // Field names are static in this table; this one is made once per run.
    let budget_field: &'static str = Box::leak(format!("budget_{cat}").into_boxed_str());
    let expense_fields = |invalid_category: bool| {
        vec![
            field(
                "spent_on",
                "2026-11-03",
                &["", "2026-02-30", "yesterday", "99999-01-01"],
            ),
            field(
                "amount",
                "3.40",
                &["", "-5", "abc", "1,234", "12.345", "0", "1e3"],
            ),
            field(
                "category_id",
                &cat_s,
                if invalid_category {
                    &["", "abc", "999999", "-1"]
                } else {
                    &["abc"]
                },
            ),
            field("description", "Coffee", &["", "   ", &"d".repeat(201)]),
            field("notes", "", &[]),
        ]
    };
    let long = |n: usize| "x".repeat(n);

    let endpoints = vec![
        endpoint(
            Who::Anonymous,
            "/register".into(),
            None,
            vec![
                field(
                    "username",
                    "newuser",
                    &["", "a", "bad name", "<script>", &long(40), "admin"],
                ),
                field("email", "new@example.com", &["", "nope", "a@b", &long(300)]),
                field("password", "a long password", &["", "short"]),
                field(
                    "password_confirm",
                    "a long password",
                    &["", "different password"],
                ),
            ],
        ),
        endpoint(
            Who::Anonymous,
            "/login".into(),
            None,
            vec![
                field("username", "max", &[""]),
                field("password", "wrong password", &[""]),
            ],
        ),
        endpoint(
            Who::Anonymous,
            "/setup".into(),
            None,
            vec![
                field("username", "second", &[]),
                field("email", "s@example.com", &[]),
            ],
        ),
        endpoint(
            Who::Member,
            "/account".into(),
            None,
            vec![
                field(
                    "email",
                    "changed@example.com",
                    &["", "no-at-sign", &long(300)],
                ),
                field(
                    "current_password",
                    "correct horse battery",
                    &["", "not my password"],
                ),
                field("new_password", "", &["short"]),
                field("new_password_confirm", "", &[]),
            ],
        ),
        endpoint(Who::Member, "/logout".into(), None, vec![]),
        endpoint(
            Who::Author,
            "/articles".into(),
            None,
            vec![
                field(
                    "title",
                    "Created",
                    &["", "   ", &long(201), "nul\u{0}title"],
                ),
                field(
                    "slug",
                    "",
                    &["new", "Bad Slug", "a--b", "-x", &long(81), "target"],
                ),
                field("body", "Body", &["", "   "]),
                field("tags", "a, b", &["!!!", "a,b,c,d,e,f,g,h,i,j,k", &long(41)]),
                field("status", "published", &["", "bogus", "PUBLISHED"]),
                field("publish_at", "", &["tomorrow", "2026-13-45T99:99"]),
                field("action", "save", &["preview"]),
            ],
        ),
        endpoint(
            Who::Author,
            "/articles/target/edit".into(),
            Some("target"),
            vec![
                field("title", "Edited", &["", &long(201)]),
                field("slug", "target", &["new", "Bad Slug"]),
                field("body", "Edited body", &["", " "]),
                field("tags", "t1", &["!!!"]),
                field("status", "draft", &["", "bogus"]),
                field("publish_at", "", &["yesterday"]),
                field("action", "save", &["preview"]),
            ],
        ),
        endpoint(
            Who::Author,
            "/articles/target/delete".into(),
            Some("target"),
            vec![],
        ),
        endpoint(
            Who::Member,
            "/articles/target/comments".into(),
            Some("target"),
            vec![
                field(
                    "body",
                    "Another comment",
                    &["", "   ", &long(5001), "a\u{0}b"],
                ),
                field("website", "", &["http://spam.example"]),
            ],
        ),
        endpoint(
            Who::Admin,
            format!("/admin/comments/{comment}/approve"),
            Some(&comment.to_string()),
            vec![],
        ),
        endpoint(
            Who::Admin,
            "/admin/comments/bulk".into(),
            None,
            vec![
                field("action", "spam", &["", "explode"]),
                field(
                    "ids",
                    &comment.to_string(),
                    &["abc", "1.5", "99999999999999999999"],
                ),
            ],
        ),
        endpoint(
            Who::Admin,
            format!("/admin/users/{max}/role"),
            Some(&max.to_string()),
            vec![field("role", "author", &["", "emperor", "ADMIN"])],
        ),
        endpoint(
            Who::Admin,
            format!("/admin/users/{max}/disable"),
            Some(&max.to_string()),
            vec![],
        ),
        endpoint(
            Who::Admin,
            format!("/admin/users/{max}/delete"),
            Some(&max.to_string()),
            vec![field("content", "keep", &["", "maybe"])],
        ),
        endpoint(
            Who::Admin,
            format!("/admin/tags/{t1}/rename"),
            Some(&t1.to_string()),
            vec![field("name", "Renamed", &["", "!!!", &long(41), "t2"])],
        ),
        endpoint(
            Who::Admin,
            format!("/admin/tags/{t1}/merge"),
            Some(&t1.to_string()),
            vec![field("into", "0", &["", "abc", &t1.to_string(), "999999"])],
        ),
        endpoint(
            Who::Admin,
            format!("/admin/tags/{t1}/delete"),
            Some(&t1.to_string()),
            vec![],
        ),
        endpoint(Who::Member, "/expenses".into(), None, expense_fields(true)),
        endpoint(
            Who::Member,
            format!("/expenses/{expense}/edit"),
            Some(&expense.to_string()),
            expense_fields(true),
        ),
        endpoint(
            Who::Member,
            format!("/expenses/{expense}/delete"),
            Some(&expense.to_string()),
            vec![],
        ),
        endpoint(
            Who::Member,
            "/expenses/categories".into(),
            None,
            vec![
                field("name", "Pets", &["", "   "]),
                field("monthly_budget", "50", &["abc", "-1", "1,234", "12.345"]),
                field(
                    "color",
                    "#336699",
                    &["", "red", "#12345", "#GGGGGG", "javascript:alert(1)"],
                ),
            ],
        ),
        endpoint(
            Who::Member,
            format!("/expenses/categories/{cat}/edit"),
            Some(&cat_s),
            vec![
                field("name", "Renamed", &["", " "]),
                field("monthly_budget", "", &["abc", "-1"]),
                field("color", "#112233", &["blue", "#1234567"]),
            ],
        ),
        endpoint(
            Who::Member,
            format!("/expenses/categories/{cat}/archive"),
            Some(&cat_s),
            vec![],
        ),
        endpoint(
            Who::Member,
            "/expenses/currency".into(),
            None,
            vec![field("currency", "USD", &["euro", "1", "E€", "US"])],
        ),
        endpoint(
            Who::Member,
            "/expenses/recurring".into(),
            None,
            vec![
                field("category_id", &cat_s, &["", "abc", "999999"]),
                field("amount", "5.00", &["", "-1", "abc", "0"]),
                field("description", "Gym", &["", &"d".repeat(201)]),
                field("every", "1", &["", "0", "61", "abc"]),
                field("unit", "months", &["", "days", "years"]),
                field("day", "5", &["", "0", "32", "abc"]),
                field("starts_on", "2030-02-01", &["", "2030-02-30", "soon"]),
                field("ends_on", "", &["2029-01-01", "never"]),
            ],
        ),
        endpoint(
            Who::Member,
            format!("/expenses/recurring/{rule}/pause"),
            Some(&rule.to_string()),
            vec![],
        ),
        endpoint(
            Who::Member,
            format!("/expenses/recurring/{rule}/delete"),
            Some(&rule.to_string()),
            vec![],
        ),
        endpoint(Who::Member, "/expenses/import".into(), None, vec![]),
        endpoint(
            Who::Member,
            "/expenses/budgets?month=2026-11".into(),
            None,
            vec![field(
                budget_field,
                "100",
                &["abc", "-5", "1,234", "12.345"],
            )],
        ),
        endpoint(
            Who::Admin,
            "/admin/settings".into(),
            None,
            vec![
                field("site_title", "New title", &["", &long(101)]),
                field("site_description", "d", &[&long(301)]),
                field("moderation", "none", &["", "sometimes"]),
                field("articles_per_page", "20", &["", "0", "101", "abc", "1.5"]),
                field("currency", "USD", &["", "EU", "EURO", "€€€"]),
                field("session_idle_days", "7", &["", "0", "366"]),
                field("session_max_days", "30", &["", "0", "3"]),
            ],
        ),
    ];

    let before_counts = row_counts(&app);
    let before = fingerprint(&app);
    let mut rng = StdRng::seed_from_u64(20261126);
    let mut tried = 0;
    let mut statuses = std::collections::BTreeMap::new();
    let rounds = 1100 / endpoints.len() + 1;
    for _ in 0..rounds {
        for ep in &endpoints {
            let client: &TestClient = match ep.who {
                Who::Anonymous => &anonymous,
                Who::Member => &member,
                Who::Author => &author,
                Who::Admin => &admin,
            };
            let token = client.csrf_token().await;
            let mut fields: Vec<(String, String)> = ep
                .fields
                .iter()
                .map(|f| (f.name.to_owned(), f.valid.clone()))
                .collect();
            // Noise that alone changes nothing: unknown fields with odd content.
            for _ in 0..rng.gen_range(0..3) {
                let junk = NOISE.choose(&mut rng).unwrap().to_string();
                fields.push((format!("junk{}", rng.gen_range(0..99)), junk));
            }
            let mut method = Method::POST;
            let mut path = ep.path.clone();
            let mut content_type = Some("application/x-www-form-urlencoded".to_owned());
            let mut with_token = true;
            let mut raw_body: Option<Vec<u8>> = None;
            // One fatal mutation, chosen among those that apply to this form.
            let invalid_fields: Vec<&Field> =
                ep.fields.iter().filter(|f| !f.invalid.is_empty()).collect();
            let mut kinds = vec![0, 1, 2, 3, 4, 5];
            if !invalid_fields.is_empty() {
                kinds.extend([6, 6, 6, 7, 7]);
            }
            if !ep.fields.is_empty() {
                kinds.push(8);
            }
            if ep.garbage_segment.is_some() {
                kinds.push(9);
            }
            match *kinds.choose(&mut rng).unwrap() {
                0 => with_token = false,
                1 => fields.push(("csrf_token".into(), "forged-token".into())),
                2 => {
                    method = [Method::PUT, Method::PATCH, Method::DELETE]
                        .choose(&mut rng)
                        .unwrap()
                        .clone()
                }
                3 => {
                    content_type = Some("application/json".into());
                    raw_body = Some(format!("{{\"csrf_token\":\"{token}\"}}").into_bytes());
                }
                4 => {
                    // A multipart body that breaks off in the middle of the token part.
                    content_type = Some("multipart/form-data; boundary=XyZ".into());
                    raw_body = Some(
                        b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc"
                            .to_vec(),
                    );
                }
                5 => fields.push(("huge".into(), "y".repeat(1_100_000))),
                6 => {
                    let f = invalid_fields.choose(&mut rng).unwrap();
                    let bad = f.invalid.choose(&mut rng).unwrap().clone();
                    for pair in fields.iter_mut().filter(|(k, _)| k == f.name) {
                        pair.1 = bad.clone();
                    }
                }
                7 => {
                    // A required field left out.
                    let f = invalid_fields.choose(&mut rng).unwrap();
                    if f.invalid.iter().any(|v| v.is_empty()) {
                        fields.retain(|(k, _)| k != f.name);
                    } else {
                        let bad = f.invalid[0].clone();
                        for pair in fields.iter_mut().filter(|(k, _)| k == f.name) {
                            pair.1 = bad.clone();
                        }
                    }
                }
                8 => {
                    // Broken percent-encoding and invalid UTF-8 in the body itself.
                    let mut body = encode(&fields);
                    body.extend_from_slice(b"&title=%E0%A4%A&body=%FF%FE%C3%28&=&&=%");
                    if with_token {
                        body.extend_from_slice(format!("&csrf_token={token}").as_bytes());
                    }
                    // Keep it invalid: the first field with a refusable value gets one.
                    if let Some(f) = invalid_fields.first() {
                        body.extend_from_slice(format!("&{}={}", f.name, f.invalid[0]).as_bytes());
                        let mut cleaned: Vec<(String, String)> = fields
                            .iter()
                            .filter(|(k, _)| k != f.name)
                            .cloned()
                            .collect();
                        cleaned.push((f.name.to_owned(), f.invalid[0].clone()));
                        let mut b = encode(&cleaned);
                        b.extend_from_slice(b"&x=%FF%FE%C3%28&=&&=%");
                        b.extend_from_slice(format!("&csrf_token={token}").as_bytes());
                        body = b;
                    } else {
                        // Nothing to make invalid: send it without a token.
                        body = encode(&fields);
                        body.extend_from_slice(b"&x=%FF%FE%C3%28");
                    }
                    raw_body = Some(body);
                }
                _ => {
                    let segment = ep.garbage_segment.as_deref().unwrap();
                    let garbage = [
                        "abc",
                        "99999999999999999999",
                        "-1",
                        "0",
                        "%00",
                        "..%2F..%2Fetc",
                        "no-such-thing",
                    ]
                    .choose(&mut rng)
                    .unwrap();
                    path = path.replacen(segment, garbage, 1);
                }
            }
            if with_token && raw_body.is_none() {
                fields.push(("csrf_token".into(), token.clone()));
            }
            let body = raw_body.unwrap_or_else(|| encode(&fields));
            let resp = client
                .request(method.clone(), &path, content_type.as_deref(), body)
                .await;
            tried += 1;
            *statuses.entry(resp.status.as_u16()).or_insert(0) += 1;
            assert!(
                !resp.status.is_server_error(),
                "{method} {path} answered {}: {}",
                resp.status,
                &resp.body[..resp.body.len().min(300)]
            );
            assert!(
                !resp.status.is_success() || resp.body.contains("</html>"),
                "{method} {path}: a success without a page"
            );
            if resp.status.is_redirection() {
                // A redirect after a write would mean the request was accepted.
                let loc = resp.location().unwrap_or_default().to_owned();
                assert!(
                    loc.starts_with("/login")
                        || loc == "/admin/comments?status=pending"
                        || path.contains("/comments"),
                    "{method} {path} was accepted (303 to {loc})"
                );
            }
        }
    }
    eprintln!("bad inputs tried: {tried}; statuses: {statuses:?}");
    assert!(tried >= 1000);
    assert_eq!(row_counts(&app), before_counts, "no row was written");
    assert_eq!(fingerprint(&app), before, "no row was changed");
}
