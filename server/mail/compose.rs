//! Renders each kind of mail from its three templates (`templates/email/<name>/`: subject,
//! text, HTML) into an outbox row.

use askama::Template;

use super::unsubscribe::{Scope, Signer};
use crate::db::models::now;
use crate::db::models::outbox::NewMail;
use crate::db::models::users::User;
use crate::error::{AppError, AppResult};
use crate::notify::Kind;

#[derive(Template)]
#[template(path = "email/notification/subject.txt")]
struct NotificationSubject<'a> {
    sentence: &'a str,
}

#[derive(Template)]
#[template(path = "email/notification/body.txt")]
struct NotificationText<'a> {
    name: &'a str,
    sentence: &'a str,
    excerpt: Option<&'a str>,
    link: &'a str,
    reason: &'a str,
    unsubscribe: &'a str,
    settings: &'a str,
}

#[derive(Template)]
#[template(path = "email/notification/body.html")]
struct NotificationHtml<'a> {
    site: &'a str,
    name: &'a str,
    sentence: &'a str,
    excerpt: Option<&'a str>,
    link: &'a str,
    reason: &'a str,
    unsubscribe: &'a str,
    settings: &'a str,
}

/// One line of a digest: the latest notification of an object and how many it stands for.
pub struct DigestLine {
    pub sentence: String,
    pub link: String,
}

/// A digest's lines about one community (or about ideas and the site at large).
pub struct DigestSection {
    pub title: String,
    pub lines: Vec<DigestLine>,
}

#[derive(Template)]
#[template(path = "email/digest/subject.txt")]
struct DigestSubject<'a> {
    site: &'a str,
    total: usize,
}

#[derive(Template)]
#[template(path = "email/digest/body.txt")]
struct DigestText<'a> {
    name: &'a str,
    sections: &'a [DigestSection],
    unsubscribe: &'a str,
    settings: &'a str,
}

#[derive(Template)]
#[template(path = "email/digest/body.html")]
struct DigestHtml<'a> {
    site: &'a str,
    name: &'a str,
    sections: &'a [DigestSection],
    unsubscribe: &'a str,
    settings: &'a str,
}

#[derive(Template)]
#[template(path = "email/invitation/subject.txt")]
struct InvitationSubject<'a> {
    site: &'a str,
    inviter: &'a str,
}

#[derive(Template)]
#[template(path = "email/invitation/body.txt")]
struct InvitationText<'a> {
    site: &'a str,
    inviter: &'a str,
    link: &'a str,
    days: i64,
}

#[derive(Template)]
#[template(path = "email/invitation/body.html")]
struct InvitationHtml<'a> {
    site: &'a str,
    inviter: &'a str,
    link: &'a str,
    days: i64,
}

#[derive(Template)]
#[template(path = "email/password_reset/subject.txt")]
struct ResetSubject<'a> {
    site: &'a str,
}

#[derive(Template)]
#[template(path = "email/password_reset/body.txt")]
struct ResetText<'a> {
    site: &'a str,
    name: &'a str,
    link: &'a str,
    minutes: i64,
    unsubscribe: &'a str,
}

#[derive(Template)]
#[template(path = "email/password_reset/body.html")]
struct ResetHtml<'a> {
    site: &'a str,
    name: &'a str,
    link: &'a str,
    minutes: i64,
    unsubscribe: &'a str,
}

fn render(template: &impl Template) -> AppResult<String> {
    template.render().map_err(|e| AppError::Internal(anyhow::anyhow!("email template: {e}")))
}

/// Turns what happened into mails: absolute links, signed unsubscribe links, a Message-ID
/// fixed at queueing time.
#[derive(Clone)]
pub struct Composer {
    base_url: String,
    host: String,
    signer: Signer,
    /// The site's settings in effect (its name, which admins may change).
    site: crate::site::Site,
}

/// A rendered mail before it is addressed.
struct Rendered {
    subject: String,
    text: String,
    html: String,
}

impl Composer {
    /// A composer for links under `base_url`.
    pub fn new(base_url: &str, signer: Signer, site: crate::site::Site) -> Self {
        let host =
            base_url.split("://").nth(1).unwrap_or(base_url).split(['/', ':']).next().unwrap_or("agora");
        Self { base_url: base_url.trim_end_matches('/').to_owned(), host: host.to_owned(), signer, site }
    }

    /// The signer of unsubscribe links (the unsubscribe page checks with it).
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// An absolute link to a path of the site.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn unsubscribe(&self, user_id: i64, scope: Scope) -> String {
        self.link(&format!("/unsubscribe/{}", self.signer.token(user_id, scope)))
    }

    fn address(
        &self,
        user: Option<&User>,
        to: &str,
        kind: &str,
        mail: Rendered,
        unsubscribe: Option<String>,
    ) -> NewMail {
        let at = now();
        let token = crate::auth::secrets::new_token("");
        NewMail {
            user_id: user.map(|u| u.id),
            recipient: to.to_owned(),
            kind: kind.to_owned(),
            subject: mail.subject.trim().to_owned(),
            body_text: mail.text,
            body_html: mail.html,
            unsubscribe_url: unsubscribe,
            message_id: format!("<{token}@{}>", self.host),
            items: 0,
            created_at: at,
            next_attempt_at: at,
        }
    }

    /// A mail about one notification.
    pub fn notification(
        &self,
        to: &User,
        kind: Kind,
        sentence: &str,
        excerpt: Option<&str>,
        path: &str,
    ) -> AppResult<NewMail> {
        let (link, settings) = (self.link(path), self.link("/settings#email"));
        let unsubscribe = self.unsubscribe(to.id, Scope::Kind(kind));
        let (name, reason) = (to.name.as_str(), kind.reason());
        let settings_now = self.site.current();
        let site = settings_now.site_name.as_str();
        let text = NotificationText {
            name,
            sentence,
            excerpt,
            link: &link,
            reason,
            unsubscribe: &unsubscribe,
            settings: &settings,
        };
        let html = NotificationHtml {
            site,
            name,
            sentence,
            excerpt,
            link: &link,
            reason,
            unsubscribe: &unsubscribe,
            settings: &settings,
        };
        let rendered = Rendered {
            subject: render(&NotificationSubject { sentence })?,
            text: render(&text)?,
            html: render(&html)?,
        };
        Ok(self.address(Some(to), &to.email, kind.as_str(), rendered, Some(unsubscribe)))
    }

    /// The daily digest of `total` notifications, in sections.
    pub fn digest(&self, to: &User, sections: &[DigestSection], total: usize) -> AppResult<NewMail> {
        let (settings, unsubscribe) = (self.link("/settings#email"), self.unsubscribe(to.id, Scope::All));
        let name = to.name.as_str();
        let settings_now = self.site.current();
        let site = settings_now.site_name.as_str();
        let rendered = Rendered {
            subject: render(&DigestSubject { site, total })?,
            text: render(&DigestText { name, sections, unsubscribe: &unsubscribe, settings: &settings })?,
            html: render(&DigestHtml {
                site,
                name,
                sections,
                unsubscribe: &unsubscribe,
                settings: &settings,
            })?,
        };
        Ok(self.address(Some(to), &to.email, "digest", rendered, Some(unsubscribe)))
    }

    /// An invitation to register. The invitee has no account, so nothing to unsubscribe
    /// from: the mail says so and says how to ignore it.
    pub fn invitation(&self, email: &str, inviter: &str, path: &str, days: i64) -> AppResult<NewMail> {
        let link = self.link(path);
        let settings_now = self.site.current();
        let site = settings_now.site_name.as_str();
        let rendered = Rendered {
            subject: render(&InvitationSubject { site, inviter })?,
            text: render(&InvitationText { site, inviter, link: &link, days })?,
            html: render(&InvitationHtml { site, inviter, link: &link, days })?,
        };
        Ok(self.address(None, email, "invitation", rendered, None))
    }

    /// A password reset link.
    pub fn password_reset(&self, to: &User, path: &str, minutes: i64) -> AppResult<NewMail> {
        let (link, unsubscribe) = (self.link(path), self.unsubscribe(to.id, Scope::All));
        let name = to.name.as_str();
        let settings_now = self.site.current();
        let site = settings_now.site_name.as_str();
        let rendered = Rendered {
            subject: render(&ResetSubject { site })?,
            text: render(&ResetText { site, name, link: &link, minutes, unsubscribe: &unsubscribe })?,
            html: render(&ResetHtml { site, name, link: &link, minutes, unsubscribe: &unsubscribe })?,
        };
        Ok(self.address(Some(to), &to.email, "password_reset", rendered, Some(unsubscribe)))
    }
}
