//! `/api/v1`: bearer tokens, the error shape, bad bodies, admin-only routes, OpenAPI.

use agora::domain::account::Role;
use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, error_code};

#[tokio::test]
async fn me_answers_the_token_owner() {
    let app = TestApp::spawn().await;
    let boss = app.given_user("grace", Role::Executive);
    let ada = app.given_user("ada", Role::Employee);
    app.db.write_sync(move |c| Ok(agora::db::models::users::set_manager(c, ada.id, Some(boss.id))?)).unwrap();
    let token = app.token_for(&app.user("ada").unwrap());

    let response = app.api(Method::GET, "/me", &token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let me: serde_json::Value = response.json().await.unwrap();
    assert_eq!(me["handle"], "ada");
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["role"], "employee");
    assert_eq!(me["manager"], "grace");
    assert!(me.get("password_hash").is_none());
}

#[tokio::test]
async fn missing_malformed_and_unknown_tokens_get_401_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let url = format!("{}/api/v1/me", app.url);
    let cases = [
        app.client.get(&url),
        app.client.get(&url).header("authorization", "Basic YWRhOnB3"),
        app.client.get(&url).bearer_auth("agora_pat_not_a_real_token"),
        app.client.get(&url).bearer_auth(""),
    ];
    for request in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn revoked_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let ada = app.given_user("ada", Role::Employee);
    let browser = app.signed_in("ada@example.com").await;
    let response =
        app.submit(&browser, "/settings", "/settings/tokens", &[("token_name", "report script")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    let start = page.find("agora_pat_").expect("the new token is shown once");
    let token: String =
        page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    assert_eq!(app.api(Method::GET, "/me", &token).send().await.unwrap().status(), StatusCode::OK);

    let listed = app.get_as(&browser, "/settings").await.text().await.unwrap();
    assert!(listed.contains("report script") && !listed.contains(&token), "listed, never shown again");
    let id = app.db.read_sync(move |c| Ok(agora::db::models::tokens::list(c, ada.id)?)).unwrap()[0].id;
    let revoke = app.submit(&browser, "/settings", &format!("/settings/tokens/{id}/revoke"), &[]).await;
    assert_eq!(revoke.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.api(Method::GET, "/me", &token).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_bodies_get_400_422_and_413() {
    let app = TestApp::spawn().await;
    let admin = app.given_user("root", Role::Admin);
    let token = app.token_for(&admin);
    let patch =
        || app.api(Method::PATCH, "/admin/users/root", &token).header("content-type", "application/json");

    let syntax = patch().body("{\"role\": ").send().await.unwrap();
    assert_eq!(syntax.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(syntax).await, "bad_request");

    let wrong_type = patch().body("{\"role\": \"overlord\"}").send().await.unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(wrong_type).await, "invalid");

    let huge = format!("{{\"role\": \"admin\", \"pad\": \"{}\"}}", "x".repeat(1024 * 1024));
    let too_large = patch().body(huge).send().await.unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(too_large).await, "payload_too_large");

    let big_form = "x".repeat(1024 * 1024);
    let form = app
        .client
        .post(format!("{}/login", app.url))
        .form(&[("email", big_form.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn admin_routes_do_not_exist_for_employees() {
    let app = TestApp::spawn().await;
    let ada = app.given_user("ada", Role::Employee);
    app.given_user("bob", Role::Employee);
    let token = app.token_for(&ada);
    let response = app
        .api(Method::PATCH, "/admin/users/bob", &token)
        .json(&serde_json::json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not_found");
    assert!(app.user("bob").unwrap().is_active);
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out_and_unknown_users_are_404() {
    let app = TestApp::spawn().await;
    let admin = app.given_user("root", Role::Admin);
    let token = app.token_for(&admin);
    let response = app
        .api(Method::PATCH, "/admin/users/root", &token)
        .json(&serde_json::json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(response).await, "conflict");
    let missing = app
        .api(Method::PATCH, "/admin/users/nobody", &token)
        .json(&serde_json::json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let duplicate = app
        .api(Method::POST, "/admin/users", &token)
        .json(&serde_json::json!({"email": "root@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s_and_openapi_describes_the_api() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/nope").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not_found");

    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/me", "/api/v1/admin/users", "/api/v1/admin/users/{handle}"] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    // Every route is documented under its method, declaring each parameter its path names
    // (API fuzzers and client generators read nothing else).
    let mut wrong = Vec::new();
    for route in agora::routes::api::ROUTES.iter().filter(|r| r.path != "/openapi.json") {
        let path = format!("/api/v1{}", route.path);
        let operation = &doc["paths"][&path][route.method];
        if !operation.is_object() {
            wrong.push(format!("{} {path} is not documented", route.method));
            continue;
        }
        for name in path.split('{').skip(1).filter_map(|p| p.split('}').next()) {
            let declared = operation["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path"));
            if !declared {
                wrong.push(format!("{} {path} does not declare {{{name}}}", route.method));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
