//! `foitrack search WORDS…`: the text of replies and attachments, as the API searches it.

use super::args::SearchArgs;
use super::output::{json, safe};
use crate::domain::search::{Snippet, bracketed};
use crate::service::search::{SearchHit, SearchQuery};
use crate::service::{Actor, Service};

pub fn run(
    service: &Service,
    actor: &Actor,
    workspace: Option<&str>,
    args: SearchArgs,
) -> anyhow::Result<()> {
    let request = match &args.request {
        Some(key) => Some(service.find_request_id(actor, key)?),
        None => None,
    };
    let query = SearchQuery {
        q: args.words.join(" "),
        workspace: workspace.map(str::to_string),
        request,
        campaign: args.campaign,
        page: args.page.page,
        per_page: args.page.per_page,
    };
    let found = service.search(actor, &query)?;
    if args.json.json {
        println!("{}", json(&found));
        return Ok(());
    }
    let first = (u64::from(found.page) - 1) * u64::from(found.per_page);
    for (n, hit) in (first + 1..).zip(&found.items) {
        print_hit(n, hit);
    }
    match found.total {
        0 => println!("Nothing matches."),
        total => println!("{} of {total} hit(s).", found.items.len()),
    }
    if found.ranked < found.total {
        println!(
            "Only the newest {} are ranked and shown; add words, --request or --campaign to reach the rest.",
            found.ranked
        );
    }
    Ok(())
}

fn print_hit(n: u64, hit: &SearchHit) {
    let requests: Vec<&str> = hit.requests.iter().map(|r| r.reference.as_str()).collect();
    let whose = if requests.is_empty() { "holding pen".to_string() } else { requests.join(", ") };
    let file = match &hit.attachment {
        Some(a) => format!(", attachment {}", a.filename.as_deref().unwrap_or("without a name")),
        None => String::new(),
    };
    println!(
        "{n}. {} · message {}{} · {}",
        safe(&whose),
        hit.message,
        safe(&file),
        hit.received_at.format("%Y-%m-%d")
    );
    println!("   {}", safe(&hit.subject));
    let snippet = Snippet { text: hit.snippet.clone(), highlights: hit.highlights.clone() };
    println!("   {}", safe(&bracketed(&snippet).replace(['\n', '\r', '\t'], " ")));
}
