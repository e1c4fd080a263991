//! Users and login.
use serde::{Deserialize, Serialize};

/// Body of `POST /users/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    /// 1–100 characters.
    #[cfg_attr(feature = "openapi", schema(example = "John Doe"))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(example = "john@example.com"))]
    pub email: String,
    /// At least 8 characters.
    #[cfg_attr(feature = "openapi", schema(example = "securepassword"))]
    pub password: String,
}

/// A user as clients see it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SS`.
    #[cfg_attr(feature = "openapi", schema(example = "2025-10-05T10:30:00"))]
    pub created_at: String,
}

/// Response of `POST /login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenView {
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
}

/// Body of `POST /login` (OAuth2 password form, `application/x-www-form-urlencoded`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginForm {
    /// The account's email.
    pub username: String,
    pub password: String,
}
