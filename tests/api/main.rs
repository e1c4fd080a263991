//! Integration tests: the real router on a random port, against the machine's real
//! PostgreSQL and Redis (and a private redis-server for outage tests).
mod ask;
mod cost;
mod databases;
mod errors;
mod eval;
mod guard;
mod health;
mod helpers;
mod leaks;
mod lexing;
mod llm;
mod offline;
mod openapi;
mod readonly;
mod sessions;
mod shutdown;
mod ui;
mod users;
