//! Talking to the server as its users do: signing in through the HTML form, and the JSON
//! API with personal access tokens.

use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::server::Spec;

/// The synthetic organisation's password (`agora seed --synthetic`).
pub const PASSWORD: &str = "synthetic-2026";

pub fn email(user: i64) -> String {
    format!("user{user}@synthetic.example")
}

/// An API client acting as one person.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    /// A personal access token for `user`, made with `agora token create`.
    pub async fn for_user(spec: &Spec, user: i64) -> anyhow::Result<Self> {
        let token = spec.cli(&["token", "create", "--email", &email(user), "--name", "bench"]).await?;
        Ok(Self { http: http()?, base: spec.base(), token })
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let response = self.http.get(self.url(path)).bearer_auth(&self.token).send().await?;
        json(response).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        json(request.send().await?).await
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
}

async fn json(response: reqwest::Response) -> anyhow::Result<Value> {
    let status = response.status();
    let url = response.url().path().to_owned();
    let text = response.text().await?;
    if !status.is_success() {
        bail!("{url}: {status}: {text}");
    }
    if text.is_empty() {
        Ok(Value::Null)
    } else {
        serde_json::from_str(&text).with_context(|| format!("{url}: not JSON"))
    }
}

/// The CSRF field of a form page.
fn csrf_field(page: &str) -> Option<&str> {
    let marker = r#"name="csrf_token" value=""#;
    let start = page.find(marker)? + marker.len();
    Some(&page[start..start + page[start..].find('"')?])
}

/// Signs `user` in through the HTML form as a browser does (the form page, then the POST,
/// argon2 and all) and returns the new session cookie (`name=value`).
pub async fn sign_in(http: &reqwest::Client, base: &str, user: i64) -> anyhow::Result<String> {
    let form = http.get(format!("{base}/login")).send().await?;
    let first = set_cookie(&form).context("GET /login set no session cookie")?;
    let page = form.text().await?;
    let csrf = csrf_field(&page).context("no CSRF field on /login")?;
    let response = http
        .post(format!("{base}/login"))
        .header("cookie", &first)
        .form(&[("csrf_token", csrf), ("email", &email(user)), ("password", PASSWORD)])
        .send()
        .await?;
    if !response.status().is_redirection() {
        bail!("signing in as user{user} answered {}", response.status());
    }
    set_cookie(&response).context("signing in set no session cookie")
}

/// The HTTP client every measurement uses. Idle pooled connections are dropped after one
/// second, well before the server closes them (actix's keep-alive is 5 s): otherwise a
/// request sent on a connection idle for about 5 s races the server's close and fails with
/// "connection closed before message completed" (it broke a CI smoke run).
pub fn http() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder().pool_idle_timeout(Duration::from_secs(1)).build()?)
}

/// A client for [`sign_in`]: no cookie store (the cookie is passed by hand), no redirects.
pub fn browser() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(1))
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

fn set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("agora_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}
