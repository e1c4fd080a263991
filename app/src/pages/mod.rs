//! One module per page.
mod auth;
mod chat;
mod databases;
mod home;
pub mod schema;
mod session;

pub use auth::{LoginPage, RegisterPage};
pub use chat::ChatPage;
pub use databases::DatabasesPage;
pub use home::HomePage;
pub use schema::SchemaPage;
pub use session::SessionPage;
