//! ActivityStreams 2.0 views of the activity log (our own serde structs: the AS2 crates
//! are GPL/AGPL). Every entry passed in has already been filtered by what the viewer may see.

use serde::Serialize;
use serde_json::{Value, json};

use crate::db::models::feed::FeedRow;

/// The JSON-LD context every document carries.
pub const CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
/// The media type of ActivityStreams documents.
pub const MEDIA_TYPE: &str = "application/activity+json";

/// One activity: `{id, type, actor, object, target, published}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct As2Activity {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The activity's verb in Agora's terms (`post.created`, …).
    pub verb: String,
    #[schema(value_type = Object)]
    pub actor: Value,
    #[schema(value_type = Object)]
    pub object: Value,
    #[schema(value_type = Object)]
    pub target: Value,
    pub published: String,
}

/// A page of activities as an `OrderedCollectionPage`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct As2Page {
    #[serde(rename = "@context")]
    pub context: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    #[serde(rename = "orderedItems")]
    pub ordered_items: Vec<As2Activity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

fn as2_type(verb: &str) -> &'static str {
    match verb {
        "post.created" | "comment.created" | "community.created" => "Create",
        "post.edited" | "idea.edited" | "user.updated" => "Update",
        "post.deleted" | "comment.deleted" => "Delete",
        "reaction.added" => "Like",
        "reaction.removed" => "Undo",
        "answer.accepted" | "member.approved" => "Accept",
        "member.denied" => "Reject",
        "member.joined" | "user.joined" => "Join",
        "member.left" => "Leave",
        "member.removed" => "Remove",
        "member.requested" => "Offer",
        "member.invited" => "Invite",
        "community.archived" => "Remove",
        _ => "Activity",
    }
}

/// Turns a log entry into an AS2 activity with URLs under `base`.
pub fn activity(base: &str, (entry, actor, community): &FeedRow) -> As2Activity {
    let data: Value = serde_json::from_str(&entry.data).unwrap_or_else(|_| json!({}));
    let text = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let post = data.get("post").and_then(Value::as_i64);
    let object = match entry.object_type.as_str() {
        "post" => {
            let kind = if text("kind") == "question" {
                "Question"
            } else if text("title").is_empty() {
                "Note"
            } else {
                "Article"
            };
            json!({"type": kind, "id": format!("{base}/posts/{}", entry.object_id), "name": text("title"), "summary": text("excerpt")})
        }
        "comment" => json!({
            "type": "Note",
            "id": format!("{base}/posts/{}#comment-{}", post.unwrap_or_default(), entry.object_id),
            "inReplyTo": post.map(|p| format!("{base}/posts/{p}")),
            "name": text("post_title"),
        }),
        "community" => {
            json!({"type": "Group", "id": format!("{base}/c/{}", text("slug")), "name": text("name")})
        }
        "user" => {
            json!({"type": "Person", "id": format!("{base}/people/{}", text("handle")), "preferredUsername": text("handle")})
        }
        other => json!({"type": "Object", "id": format!("{base}/objects/{other}/{}", entry.object_id)}),
    };
    As2Activity {
        id: format!("{base}/api/v1/activity/{}", entry.id),
        kind: as2_type(&entry.verb).to_owned(),
        verb: entry.verb.clone(),
        actor: actor.as_ref().map_or(Value::Null, |(handle, name)| {
            json!({"type": "Person", "id": format!("{base}/people/{handle}"), "preferredUsername": handle, "name": name})
        }),
        object,
        target: community.as_ref().map_or(Value::Null, |(slug, name)| {
            json!({"type": "Group", "id": format!("{base}/c/{slug}"), "name": name})
        }),
        published: entry.created_at.and_utc().to_rfc3339(),
    }
}

/// Whether the client asked for ActivityStreams (`Accept: application/activity+json`).
pub fn wanted(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains(MEDIA_TYPE) || accept.contains("application/ld+json"))
}

/// An `OrderedCollectionPage` response of `rows` (already filtered for the viewer).
pub fn page_response(
    base: &str,
    id: String,
    next: Option<String>,
    rows: &[FeedRow],
) -> actix_web::HttpResponse {
    let page = As2Page {
        context: CONTEXT,
        kind: "OrderedCollectionPage",
        id,
        next,
        ordered_items: rows.iter().map(|row| activity(base, row)).collect(),
    };
    actix_web::HttpResponse::Ok().content_type(MEDIA_TYPE).json(page)
}
