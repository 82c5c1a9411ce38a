//! Activities made ready to send: data parsed and page fragments rendered once per activity,
//! not once per subscriber.

use askama::Template;

use crate::db::DbConn;
use crate::db::models::activities::Activity;
use crate::pages::PageCtx;
use crate::pages::posts::CardFragment;

/// The HTML a page inserts for an activity, in two variants: for viewers who may react and
/// comment where it happened, and for those who may only read.
#[derive(Debug, Clone, Default)]
pub struct Fragments {
    pub writer: Option<String>,
    pub reader: Option<String>,
}

/// An activity ready to fan out.
#[derive(Debug, Clone)]
pub struct Published {
    pub activity: Activity,
    pub data: serde_json::Value,
    pub html: Fragments,
}

/// Parses an activity's data and renders its fragments.
pub fn publishable(c: &mut DbConn, activity: Activity) -> Published {
    let mut data: serde_json::Value =
        serde_json::from_str(&activity.data).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(object) = data.as_object_mut() {
        object.insert("object_type".into(), activity.object_type.clone().into());
        object.insert("object_id".into(), activity.object_id.into());
        object.insert("actor_id".into(), activity.actor_id.into());
    }
    let html = match activity.verb.as_str() {
        "post.created" | "post.edited" => post_card(c, activity.object_id),
        _ => Fragments::default(),
    };
    Published { activity, data, html }
}

fn post_card(c: &mut DbConn, post_id: i64) -> Fragments {
    let render = |c: &mut DbConn, can_react: bool| -> Option<String> {
        let card = crate::posts::fresh_card(c, post_id, can_react).ok().flatten()?;
        CardFragment { ctx: PageCtx::fragment(), card }.render().ok()
    };
    Fragments { writer: render(c, true), reader: render(c, false) }
}
