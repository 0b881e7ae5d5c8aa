//! HTTP tests: each starts the real server on port 0 over a fresh database and drives it over
//! HTTP, on SQLite and (with FOITRACK_TEST_DATABASE_URL) on PostgreSQL.

mod helpers;
mod smtp;

mod account_pages;
mod agreement;
mod attachments;
mod auth;
mod bad_input;
mod browser;
mod browser_accounts;
mod browser_coding;
mod campaign_pages;
mod classify;
mod codebooks;
mod coding_pages;
mod codings;
mod contract;
mod deadlines;
mod holidays;
mod imap;
mod imports;
mod inbound;
mod mail;
mod moves;
mod openapi;
mod pages;
mod qdc;
mod raw_files;
mod reference_search;
mod reminders;
mod reply_pages;
mod report;
mod request_pages;
mod search;
mod survey;
mod text_input;
mod timeline;
mod workspaces;
