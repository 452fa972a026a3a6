//! `quillbook seed-demo`: demo data through the app's own code, for trying the app
//! and for the benchmark. Scale 1: 200 articles with tags, 50 approved comments on
//! one article, and a member with 20,000 expenses over a year. Scale N multiplies
//! the site: N× the articles, N articles with 50 comments each, and N members with
//! a year of 20,000 expenses each (so one member's pages cover the same amount of
//! their own data while the database grows N-fold).

use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;

use crate::accounts::models::Role;
use crate::accounts::{password, queries as users};
use crate::blog::models::{ArticleInput, Status};
use crate::blog::queries as articles;
use crate::comments::models::CommentStatus;
use crate::db::DbConn;
use crate::expenses::csv_io::{self, ImportRow};

pub const DEMO_PASSWORD: &str = "demo password";
const TAGS: [&str; 20] = [
    "Rust",
    "Gardening",
    "Travel",
    "Food",
    "Books",
    "Music",
    "Cycling",
    "Photography",
    "Family",
    "Work",
    "Finance",
    "Health",
    "Home",
    "Science",
    "Film",
    "Games",
    "Design",
    "Weather",
    "Pets",
    "Notes",
];
const CATEGORIES: [&str; 6] = [
    "Groceries",
    "Rent",
    "Transport",
    "Eating out",
    "Utilities",
    "Fun",
];
const EXPENSES_PER_MEMBER: usize = 20_000;

/// What was made, for the benchmark to find its pages.
#[derive(Debug, serde::Serialize)]
pub struct Seeded {
    pub articles: usize,
    pub article_slug: String,
    pub tag_slug: String,
    pub comments: usize,
    pub member: String,
    pub expenses: usize,
    pub month: String,
    pub year: i32,
}

fn body(i: usize) -> String {
    format!(
        "This is demo article number {i}. It has a few paragraphs of **Markdown**, a table and \
         some code, like the articles people really write.\n\n\
         ## Why\n\nBecause a benchmark over empty pages measures nothing. Lorem ipsum dolor sit \
         amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore \
         magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.\n\n\
         | Item | Amount |\n|---|---:|\n| Apples | 3 |\n| Pears | {} |\n\n\
         ```rust\nfn main() {{ println!(\"article {i}\"); }}\n```\n\n\
         Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat \
         nulla pariatur. Excepteur sint occaecat cupidatat non proident.[^1]\n\n[^1]: A footnote.\n",
        i % 17
    )
}

/// Seeds an empty database. Refuses when users exist, so it never mixes demo
/// data into a real site.
pub fn seed(conn: &mut DbConn, scale: usize, today: NaiveDate) -> Result<Seeded, String> {
    let err = |e: diesel::result::Error| e.to_string();
    if users::any_users(conn).map_err(err)? {
        return Err("the database already has users: seed-demo only fills an empty one".into());
    }
    let scale = scale.max(1);
    let hash = password::hash(DEMO_PASSWORD)?;
    users::insert(conn, "admin", "admin@example.com", &hash, Role::Admin).map_err(err)?;
    let writer =
        users::insert(conn, "writer", "writer@example.com", &hash, Role::Author).map_err(err)?;
    let reader =
        users::insert(conn, "reader", "reader@example.com", &hash, Role::Member).map_err(err)?;

    let article_count = 200 * scale;
    let first_slug = conn
        .transaction(|conn| {
            let mut first_slug = String::new();
            let mut commented = Vec::new();
            for i in 1..=article_count {
                let tags = (0..3)
                    .map(|k| TAGS[(i * 7 + k * 3) % TAGS.len()].to_owned())
                    .collect();
                let input = ArticleInput {
                    title: format!("Demo article {i:06}"),
                    slug: None,
                    body: body(i),
                    tags,
                    status: Status::Published,
                    publish_at: None,
                };
                if let articles::SaveOutcome::Saved { slug } =
                    articles::create(conn, writer.id, &input)?
                {
                    if i <= scale {
                        commented.push(slug.clone());
                    }
                    if i == 1 {
                        first_slug = slug;
                    }
                }
            }
            let ids: Vec<i64> = crate::db::schema::articles::table
                .filter(crate::db::schema::articles::slug.eq_any(&commented))
                .select(crate::db::schema::articles::id)
                .load(conn)?;
            for id in ids {
                for c in 0..50 {
                    let text = format!("Comment {c}: *nice* article, thank you.");
                    let html = crate::blog::markdown::render_comment(&text);
                    crate::comments::queries::insert(
                        conn,
                        id,
                        reader.id,
                        &text,
                        &html,
                        CommentStatus::Approved,
                    )?;
                }
            }
            Ok::<_, diesel::result::Error>(first_slug)
        })
        .map_err(err)?;

    // Expenses: a year up to today per member, through the CSV import's batched store.
    let start = today - Duration::days(364);
    let mut first_member = String::new();
    for m in 0..scale {
        let name = if m == 0 {
            "member".to_owned()
        } else {
            format!("member{m:03}")
        };
        let email = format!("{name}@example.com");
        let user = users::insert(conn, &name, &email, &hash, Role::Member).map_err(err)?;
        crate::expenses::queries::open_tracker(conn, user.id).map_err(err)?;
        let rows: Vec<ImportRow> = (0..EXPENSES_PER_MEMBER)
            .map(|i| ImportRow {
                line: i + 2,
                spent_on: start + Duration::days((i * 365 / EXPENSES_PER_MEMBER) as i64),
                amount_cents: 100 + ((i * 7919) % 9_000) as i64,
                description: format!("Demo expense {i}"),
                notes: String::new(),
                category: Some(CATEGORIES[i % CATEGORIES.len()].to_owned()),
            })
            .collect();
        csv_io::store(conn, user.id, &rows, None).map_err(err)?;
        if m == 0 {
            first_member = name;
        }
    }
    Ok(Seeded {
        articles: article_count,
        article_slug: first_slug,
        tag_slug: crate::blog::slug::slugify(TAGS[7]),
        comments: 50 * scale,
        member: first_member,
        expenses: EXPENSES_PER_MEMBER * scale,
        month: format!("{:04}-{:02}", today.year(), today.month()),
        year: today.year(),
    })
}
