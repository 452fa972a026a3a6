//! Quillbook: a self-hosted blog and expense tracker in one binary, on SQLite or Postgres.

pub mod accounts;
pub mod admin;
pub mod app;
pub mod blog;
pub mod comments;
pub mod config;
pub mod db;
pub mod demo;
pub mod expenses;
pub mod web;
