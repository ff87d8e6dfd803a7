"""Site chrome: text a page template puts around the article.

Two steps, as in jusText and boilerpipe:

1. **Rules over one block.** Each kind below has a family of phrasings (regular
   expressions over the block's text) and a word limit: chrome is short, so a
   long article sentence that mentions Twitter or subscriptions is never
   matched by a rule meant for a share line or a paywall prompt.
2. **Neighbours.** A block no rule matched and that is not article prose (a
   menu item, a price, a plan name, a teaser headline) takes the class of its
   surroundings: between two chrome blocks, or between chrome and the start or
   end of the document, it is chrome too; next to article prose it stays.

Kinds and what they cover (each rule's examples are phrasings, not strings to match):

- ``paywall``: metered-access prompts ("You've reached your limit of N free
  articles", "Subscribe to continue reading", "Already a subscriber? Log in",
  "This story is available to subscribers only", "Unlock unlimited access").
- ``subscription``: plan and price tables ("₹900", "$4.99/month", "3 Months",
  "Renews automatically, cancel anytime", "Choose your plan", "Start your free trial").
- ``caption``: photo captions and credits ("FILE PHOTO: ...", "Photo: ...",
  "... REUTERS/Name", "(AP Photo/Name)", "Photograph: Name/Getty Images",
  "Photo by Name on Unsplash", "Image credit: ...").
- ``related``: teaser headers and lead-ins ("Related news", "More stories",
  "You may also like", "Most read", "READ MORE: headline").
- ``social``: share and follow lines ("Twitter: @handle", "Follow us on
  Instagram", "Share on Facebook", "Share this article", a lone "@handle", a
  row of network names).
- ``tags``: tag and topic lists ("Tagged ,", "Tags: trade, China", "Filed under: ...").
- ``template-error``: server and template failures ("[an error occurred while
  processing this directive]", unrendered placeholders such as ``{{free_limit}}``,
  ``${name}``, ``{% block %}``, ``%%TITLE%%``, PHP warnings, "[object Object]",
  "Please enable JavaScript").
- ``disclaimer``: syndication and republication notes ("... auto-generated from
  a syndicated feed", "This article originally appeared on ...", "The views
  expressed are the author's own", affiliate-link notes).
- ``newsletter``: sign-up prompts ("Sign up for our newsletter", "Get the best
  stories delivered to your inbox", "Enter your email address", "By signing up
  you agree to our privacy policy").
- ``cookie``: consent banners ("We use cookies to ...", "Accept all cookies",
  "Cookie settings", "Do not sell my personal information").
- ``navigation``: menus and skip links ("Skip to main content", "Menu",
  "Search", "Home > News > World", "Back to top").
- ``advertising``: ad slots ("Advertisement", "Sponsored content", "Story
  continues below advertisement").
- ``credits``: wire credits ("Reporting by ...; Editing by ...", "(Additional
  reporting by ...)", "Writing by ...").
- ``legal``: footers ("© 2024 Example Media. All rights reserved.", "Privacy
  Policy", "Terms of Use").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..config import Config
from ..records import Block, Finding
from ..sign import BlockSig

I = re.IGNORECASE


@dataclass(frozen=True)
class Rule:
    """A family of phrasings of one chrome kind; it only applies to blocks of at most max_words words."""

    kind: str
    pattern: re.Pattern
    max_words: int
    score: float = 0.9


def _rules(kind: str, max_words: int, *patterns: str, flags=I, score=0.9) -> list[Rule]:
    return [Rule(kind, re.compile(p, flags), max_words, score) for p in patterns]


_CUR = r"(?:[$€£¥₹₩₽₺]|rs\.?|inr|usd|eur|gbp|aud|cad|chf)"
_PERIOD = r"(?:day|week|month|mo|year|yr|annum|quarter)s?"
_AGENCY = (
    r"(?:reuters|ap|afp|epa(?:-efe)?|getty images|getty|bloomberg|xinhua|shutterstock|istock(?:photo)?|alamy|"
    r"pa(?: images| wire)?|ani|pti|ians|unsplash|pexels|anadolu(?: agency)?|kyodo|yonhap|tass|sipa|zuma(?: press)?|"
    r"nurphoto|sopa images|wireimage|filmmagic|corbis|dpa|ansa|efe|imago|picture alliance|rex|rex/shutterstock)"
)

RULES: list[Rule] = [
    *_rules(
        "template-error",
        60,
        r"\[an error (?:has )?occurred while processing (?:this|the) directive\]",
        r"\{\{\s*[\w.|: -]+\s*\}\}",
        r"\{%-?\s*\w+.*%\}",
        r"\$\{\s*\w[\w.]*\s*\}",
        r"%%[A-Z_]{2,}%%",
        r"<!--\s*#\s*(?:include|echo|exec)",
        r"\b(?:warning|notice|fatal error|parse error|deprecated)\b:.*\bon line \d+",
        r"^\s*(?:undefined|null|nan|\[object object\])\s*$",
        r"\b(?:please )?(?:enable|turn on) javascript\b|\bjavascript is (?:required|disabled)\b",
        r"\byour browser does not support\b",
    ),
    *_rules(
        "paywall",
        40,
        r"\breached (?:your|the) (?:limit|maximum)\b",
        r"\b(?:free|remaining) (?:articles?|stories|reads|pieces)\b.*\b(?:left|remaining|this month|per month|a month)\b",
        r"\bsubscribe (?:now |today )?(?:to|and) (?:continue|read|keep reading|get unlimited|unlock)\b",
        r"\bsubscribe (?:now |today )?for (?:unlimited|full|complete|instant) (?:access|reading)\b",
        r"\balready (?:a )?(?:subscriber|subscribed|member|registered|have an account)\b",
        r"^(?:to )?continue reading\b",
        r"\b(?:article|story|content|piece) is (?:only )?(?:available|reserved|exclusive|free) (?:to|for) (?:subscribers|members|registered)",
        r"\b(?:subscribers?|members?)[- ]only\b",
        r"\bunlock (?:this|the full|full|unlimited|all|premium)\b",
        r"\b(?:log|sign) ?in (?:to|and) (?:read|continue|access|view|keep)\b",
        r"\b(?:get|gain|enjoy) (?:unlimited|full|premium) (?:digital )?access\b",
        r"\bcreate (?:a )?free account to\b",
    ),
    *_rules(
        "subscription",
        25,
        rf"^\s*{_CUR}\s?\d[\d,. ]*(?:\s*(?:/|per|a)\s*{_PERIOD})?\s*$",
        rf"^\s*\d[\d,. ]*\s?{_CUR}\s*(?:(?:/|per|a)\s*{_PERIOD})?\s*$",
        rf"{_CUR}\s?\d[\d,.]*\s*(?:/|per|a|every)\s*{_PERIOD}\b",
        rf"^\s*\d+\s+{_PERIOD}\s*$",
        r"^\s*(?:monthly|yearly|annual(?:ly)?|quarterly|weekly|per month|per year)(?: plan| subscription| access)?\s*$",
        r"\b(?:renews? automatically|auto-?renew(?:s|al)?|cancel (?:at )?any ?time|billed (?:monthly|annually|yearly))\b",
        r"\b(?:digital |print |premium )?subscription (?:plans?|options|packages?|offers?|tiers?)\b",
        r"\b(?:choose|select|compare|pick) (?:your|a|the) (?:plan|subscription|package)\b",
        r"\b(?:start|begin|try) (?:your |a )?(?:free )?trial\b",
        r"^\s*(?:subscribe|subscribe now|subscribe today|get started|buy now|best value)\s*[!→>»]*\s*$",
    ),
    *_rules(
        "caption",
        70,
        r"^\s*(?:file )?(?:photo|image|picture|pictured|photograph|foto|caption|graphic|illustration)s?\s*[:|]",
        r"^\s*\(?(?:photo|image|picture|video)s?(?: by| credit| source)?\s*:",
        r"^\s*(?:image |photo |picture )?(?:credit|source|courtesy)s?\s*:",
        rf"\b{_AGENCY}\s*(?:/|via|for)\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){{0,3}}(?:\s*/\s*file(?: photo)?)?\s*[.)\]]*\s*$",
        rf"\((?:{_AGENCY}|[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){{0,3}})\s*(?:photo)?\s*/\s*[^)]{{2,60}}\)\s*$",
        r"\bphoto(?:graph)?(?: by| credit)?\s*:?\s*[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s*(?:/|for|via)\s*\S+",
        r"\bphoto by [A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3} on (?:unsplash|pexels|pixabay)\b",
        r"\b[A-Z]{2,}/[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+(?:/file(?: photo)?)?\s*$",
        flags=0 | I,
    ),
    *_rules(
        "related",
        8,
        r"^\s*(?:related|recommended|popular|trending|latest|must[- ]reads?|top stories|see also|also read|read (?:more|also|next)|"
        r"you (?:may|might|could) (?:also )?(?:like|enjoy|be interested)|more (?:from|on|in|about|stories|news|articles|to read|like this)|"
        r"editor'?s?'? (?:picks?|choice)|most (?:read|popular|viewed|shared|recent)|further reading|keep reading|what to read next|up next|"
        r"don'?t miss|in case you missed it|recent (?:posts|articles|stories)|other stories|similar (?:articles|posts|stories))\b[^.!?]*$",
    ),
    *_rules(
        "related",
        30,
        r"^\s*(?:read more|read also|also read|see also|related|more|watch|listen|recommended|read next)\s*[:|»›>]\s*\S",
    ),
    *_rules(
        "social",
        12,
        r"^\s*(?:twitter|x|facebook|instagram|linkedin|tiktok|youtube|threads|mastodon|bluesky|snapchat|telegram)\s*[:|-]?\s*@[\w.]+\s*$",
        r"^\s*@\w{2,}\s*$",
        r"^\s*(?:follow|find|like|join|connect with|subscribe to) (?:us|me|him|her|them|[\w@.]+(?: [\w@.]+)?) on (?:twitter|x|facebook|instagram|linkedin|tiktok|youtube|threads|mastodon|bluesky|social media)\b",
        r"^\s*(?:share|tweet|pin|email|print|copy link|save)(?: (?:this|it|on|via|to|the|article|story|post|page|link|with)\b.*)?$",
        r"\b(?:click to share|share (?:this|on|via) (?:\w+ )?(?:facebook|twitter|x|linkedin|whatsapp|email|pinterest|reddit))\b",
        r"^\s*(?:(?:facebook|twitter|x|linkedin|whatsapp|email|e-mail|print|pinterest|reddit|telegram|tumblr|flipboard|messenger|copy|link|share|sms|mail)[\s,|/•·-]*){2,}$",
    ),
    *_rules(
        "tags",
        40,
        r"^\s*(?:tagged|tags?|filed under|topics?|categories|category|keywords|posted in|more about|related topics)\s*(?:[:,|]|$)",
    ),
    *_rules(
        "newsletter",
        40,
        r"\b(?:sign ?up|subscribe|register) (?:for|to) (?:our|the|my|a|this|their|\w+'s) (?:\w+ ){0,3}(?:newsletters?|mailing list|briefing|digest|alerts|e-?mails?)\b",
        r"\b(?:delivered|straight|directly|sent|right) (?:right )?(?:to|in|into) your inbox\b",
        r"\benter (?:your )?e-?mail(?: address)?\b",
        r"\bby (?:signing up|subscribing|clicking|submitting)\b.*\b(?:agree|consent|privacy|terms)\b",
        r"\bthanks? (?:you )?for (?:signing up|subscribing)\b",
        r"\bunsubscribe (?:at )?any ?time\b",
        r"^\s*(?:get |join |our )?(?:the )?(?:\w+ )?newsletters?\s*[!:]?\s*$",
    ),
    *_rules(
        "cookie",
        60,
        r"\b(?:we|this (?:web)?site|our (?:web)?site|the (?:web)?site|site) uses? cookies\b",
        r"\bcookies? (?:policy|settings|preferences|consent|notice|statement)\b",
        r"\baccept (?:all )?cookies\b|\b(?:accept|reject|decline) all\b",
        r"\bby (?:continuing|using)(?: to (?:use|browse))? (?:this|our) (?:site|website)\b",
        r"\bmanage (?:your )?(?:privacy|consent|cookie)",
        r"\bdo not sell (?:or share )?my personal information\b",
    ),
    *_rules(
        "disclaimer",
        60,
        r"\b(?:auto-?generated|automatically generated) from (?:a|the) (?:syndicated|wire|news) feed\b",
        r"\bhas not been edited by\b.*\bstaff\b",
        r"\bmay have been (?:reworked|edited|modified) by\b",
        r"\b(?:article|story|content|post|piece) (?:was|has been|is) (?:originally )?(?:published|republished|reprinted|syndicated|produced|reproduced) (?:on|in|by|from|with (?:the )?permission)\b",
        r"\boriginally (?:appeared|published|ran) (?:on|in|at)\b",
        r"\bviews (?:and opinions )?expressed\b.*\b(?:author|necessarily|own)\b",
        r"\b(?:contains|may contain|uses) affiliate links\b|\bwe may (?:earn|receive) (?:a )?(?:small )?(?:commission|compensation)\b",
    ),
    *_rules(
        "advertising",
        8,
        r"^\s*(?:advertisement|advertising|sponsored(?: content| post| by .*)?|sponsor message|ads?|promoted(?: content)?|paid (?:post|content)|partner content)\s*$",
        r"\b(?:story|article|content|text) continues (?:below|after)\b",
        r"^\s*scroll (?:down )?to (?:continue|read)",
    ),
    *_rules(
        "credits",
        50,
        r"^\s*\(?\s*(?:additional )?(?:reporting|writing|editing|compiled|edited|written) by\b.*\b(?:editing|reporting|writing) by\b",
        r"^\s*\(\s*(?:additional )?(?:reporting|writing|editing) by\b[^)]*\)\s*$",
    ),
    *_rules(
        "legal",
        20,
        r"^\s*(?:©|\(c\)|copyright\b)",
        r"\ball rights reserved\b",
        r"^\s*(?:privacy policy|terms of (?:use|service)|terms (?:and|&) conditions|cookie policy|accessibility statement|sitemap|contact us|about us)\s*$",
    ),
    *_rules(
        "navigation",
        8,
        r"^\s*(?:skip to (?:main )?(?:content|navigation|search)|skip navigation|main menu|(?:open|close|toggle) (?:navigation|menu|search)(?: menu)?|"
        r"menu|search|home|back to top|go to top|log ?in|sign ?in|sign ?up|log ?out|register|my account|subscribe|more|next|previous|"
        r"accessibility links|keyboard shortcuts.*)\s*$",
        r"^\s*(?:home|start)\s*[>/»›|]\s*\S",
        r"\bexpand/collapse\b|\bsubmenu\b",
    ),
]

_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def is_prose(block: Block, sig: BlockSig) -> bool:
    """Article prose: a sentence or more, ending like a sentence."""
    return sig.n_words >= 8 and bool(_TERMINAL.search(block.text)) or sig.n_words >= 25


def match_rules(block: Block, sig: BlockSig) -> tuple[str, float, str] | None:
    """The first rule that matches the block: (kind, score, pattern)."""
    for rule in RULES:
        if sig.n_words <= rule.max_words and rule.pattern.search(block.text):
            return rule.kind, rule.score, rule.pattern.pattern
    return None


def find_chrome(doc_id: str, blocks: list[Block], sigs: list[BlockSig], config: Config) -> list[Finding]:
    """Chrome findings for one document: rule matches, then neighbours."""
    kinds: list[str | None] = [None] * len(blocks)
    findings: list[Finding] = []
    prose = [is_prose(b, s) for b, s in zip(blocks, sigs)]
    for b, s in zip(blocks, sigs):
        hit = match_rules(b, s)
        if hit:
            kind, score, _ = hit
            kinds[b.index] = kind
            findings.append(Finding(b.index, f"chrome:{kind}", f"chrome:rule:{kind}", score, None, f"{kind} phrasing"))
    # Neighbours: a block that is neither matched nor prose takes the class of
    # the nearest classified blocks on each side; the document's ends count as chrome.
    n = len(blocks)
    # The document's ends count as chrome only when there is an article to
    # protect: in a text of short lines alone (a list, a poem) they prove nothing.
    edge = "edge" if any(prose) else None
    i = 0
    while i < n:
        if kinds[i] is not None or prose[i]:
            i += 1
            continue
        j = i
        while j < n and kinds[j] is None and not prose[j]:
            j += 1
        before = kinds[i - 1] if i > 0 else edge
        after = kinds[j] if j < n else edge
        if before is not None and after is not None and not (before == "edge" and after == "edge"):
            kind = before if before != "edge" else after
            for k in range(i, j):
                findings.append(
                    Finding(k, f"chrome:{kind}", f"chrome:context:{kind}", 0.6, None, f"between {kind} blocks")
                )
        i = j
    return sorted(findings, key=lambda f: f.block)
