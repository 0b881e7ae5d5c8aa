//! `foitrack workspace …`: workspaces and their members.

use super::args::WorkspaceCommand;
use super::output::{Table, json, safe};
use crate::service::workspaces::WorkspaceChange;
use crate::service::{Actor, Service};

pub fn run(service: &Service, cmd: WorkspaceCommand, actor: &Actor) -> anyhow::Result<()> {
    match cmd {
        WorkspaceCommand::List { json: j } => {
            let list = service.list_workspaces(actor)?;
            if j.json {
                println!("{}", json(&list));
                return Ok(());
            }
            let mut t = Table::new(&["SLUG", "NAME", "YOUR ROLE", "ARCHIVED"]);
            for w in &list {
                t.row(vec![
                    w.slug.clone(),
                    w.name.clone(),
                    w.role.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                    w.archived_at.map(|a| a.date_naive().to_string()).unwrap_or_default(),
                ]);
            }
            print!("{}", t.render());
        }
        WorkspaceCommand::Create { slug, name, owner, json: j } => {
            let input = crate::service::workspaces::NewWorkspaceInput { slug, name, owner: owner.clone() };
            let w = service.create_workspace(actor, input)?;
            if j.json {
                println!("{}", json(&w));
            } else {
                println!("Created the workspace {} ({}), owned by {}.", w.slug, safe(&w.name), safe(&owner));
            }
        }
        WorkspaceCommand::Rename { slug, name } => {
            let change = WorkspaceChange { name: Some(name), archived: None };
            let w = service.change_workspace(actor, &slug, change)?;
            println!("The workspace {} is now called {}.", w.slug, safe(&w.name));
        }
        WorkspaceCommand::Archive { slug } => {
            service.change_workspace(actor, &slug, WorkspaceChange { name: None, archived: Some(true) })?;
            println!(
                "The workspace {slug} is archived: it can be read, not changed, and sends no reminders."
            );
        }
        WorkspaceCommand::Unarchive { slug } => {
            service.change_workspace(actor, &slug, WorkspaceChange { name: None, archived: Some(false) })?;
            println!("The workspace {slug} is open again.");
        }
        WorkspaceCommand::Members { slug, json: j } => {
            let members = service.list_members(actor, &slug)?;
            if j.json {
                println!("{}", json(&members));
                return Ok(());
            }
            let mut t = Table::new(&["USER", "EMAIL", "NAME", "ROLE", "SINCE"]);
            for m in &members {
                t.row(vec![
                    m.user_id.to_string(),
                    m.email.clone(),
                    m.name.clone(),
                    m.role.to_string(),
                    m.added_at.date_naive().to_string(),
                ]);
            }
            print!("{}", t.render());
        }
        WorkspaceCommand::AddMember { slug, email, role } => {
            let m = service.add_member(actor, &slug, &email, role.parse()?)?;
            println!("{} is now a member of {slug}, as {}.", safe(&m.email), m.role);
        }
        WorkspaceCommand::SetRole { slug, email, role } => {
            let id = member_id(service, actor, &slug, &email)?;
            let m = service.change_member(actor, &slug, id, role.parse()?)?;
            println!("{} is now {} in {slug}.", safe(&m.email), m.role);
        }
        WorkspaceCommand::RemoveMember { slug, email } => {
            let id = member_id(service, actor, &slug, &email)?;
            service.remove_member(actor, &slug, id)?;
            println!("{} is no longer a member of {slug}.", safe(&email));
        }
    }
    Ok(())
}

/// The user id of the member with this email, as the API's member routes take it.
fn member_id(service: &Service, actor: &Actor, slug: &str, email: &str) -> anyhow::Result<i64> {
    let wanted = email.trim().to_lowercase();
    service
        .list_members(actor, slug)?
        .into_iter()
        .find(|m| m.email == wanted)
        .map(|m| m.user_id)
        .ok_or_else(|| anyhow::anyhow!("The workspace {slug} has no member with the email {}.", safe(email)))
}
