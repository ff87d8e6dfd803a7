"""Site chrome: text a page template puts around the article.

Three steps, after jusText, boilerpipe and Finn's Body Text Extraction:

1. **Rules over one block.** Each kind below is a set of families of
   phrasings (regular expressions over the block's text) with a word limit:
   chrome is short, so a long article sentence that mentions Twitter or
   subscriptions is never matched by a rule meant for a share line or a
   paywall prompt. A family names trigger words, one of which every match
   contains, so a block is searched only by the few families it could match.
   The patterns are written in Python's `re` syntax and mean what `re` makes
   of them; the compiled core runs them (with PCRE2: ``phrases.rs``).
   Some families are *weak*: a lone price, a lone network name, an author bio
   can be article text too, so they go only when they lie outside the article.
2. **The article's extent.** Every block gets a weight from its shape:
   prose (a sentence or more, with the function words of running text) counts
   for its length, a short sentence for half; a list item in sentence case
   ("2 cups flour") and a code listing are neutral; a single word or a
   capitalised line (a menu item, a heading) counts a little against; a link
   list (many capitalised words, few function words) and a rule-matched block
   count against for their length, up to a cap. The article is the stretch of
   blocks with the largest total, as in Body Text Extraction; other stretches
   weighing at least a share of it (a second part after a long table) are kept
   too. A comments header after the article has begun ends it, and so does a
   related header ("Related articles", "More from X") once most of the page's
   prose lies above it; a lead-in such as "READ MORE: headline" does not.
   Blocks outside the article are chrome: menus before it, footers, teasers,
   bios and comments after it. A text that starts with its article within its
   first few blocks keeps its headline and byline.
   Text is measured in every script: in scripts written without spaces (Chinese,
   Japanese, Thai) a few characters count as a word, and since such text has no
   function words to tell a sentence from a headline, its punctuation does: a
   sentence end, or a clause mark inside ("，", "；"); a line with neither is a
   neutral list item, not a short sentence. A block is written without spaces
   when most of its letters are of such a script, however short its runs
   between digits and brackets.
3. **Neighbours.** Inside the article, a block no rule matched and that is not
   prose (a price, a plan name, a menu item) between two chrome blocks is
   chrome too; next to article prose it stays.

Outside the article, a block takes the kind of the section header above it
(the teasers under "Related articles", the comments under "12 Comments", the
plan table under a paywall prompt), for at most ten blocks; a run of menu items
is ``navigation`` even where one item says "Newsletters"; other text is
``navigation`` before the article and ``outside`` after it.

Kinds and what they cover (each family's examples are phrasings, not strings to match):

- ``paywall``: metered-access prompts ("You've reached your limit of N free
  articles", "Subscribe to continue reading", "Already a subscriber? Log in",
  "This story is exclusive to X subscribers", "Unlock unlimited access",
  "Become a member to keep reading"), and the plan table under them.
- ``subscription``: plan and price tables ("Choose your plan", "Monthly",
  "Subscribe now", "Best value"; weak: "Renews automatically, cancel anytime",
  "Start your 14-day free trial", "Billed annually", "₹900", "$4.99/month", "3
  Months"), and, under a paywall, the plan names and features between them.
- ``caption``: photo captions and credits ("FILE PHOTO: ...", "Photo: ...",
  "... REUTERS/Name", "(AP Photo/Name)", "Name/Getty Images", "Photo by Name on
  Unsplash", "Image credit: ...", "Open image caption", "Enlarge this image";
  weak: "Source: ...", which may credit a chart of the article).
- ``related``: teaser headers and lead-ins ("Related news", "More stories
  from X", "You may also like", "Most read", "Also by this author", "Suggested
  articles", "More videos", "READ MORE: headline", "Up next", "相关文章",
  "関連記事", "관련 기사"), and the teaser lists under them outside the article.
- ``social``: share and follow lines ("Twitter: @handle", "Follow us on
  Instagram", "Share on Facebook", "Share this article", "Share to your
  network", a lone "@handle", a row such as "Share Tweet Pin Email", "Click to
  share on X (Opens in new window)", a prompt to rate the page: "Was this page
  helpful?", "How useful was this post?"; weak: a lone network name).
- ``tags``: tag and topic lists ("Tagged ,", "Tags: trade, China", "Filed
  under: ...", "Posted in ...").
- ``template-error``: server and template failures ("[an error occurred while
  processing this directive]", unrendered placeholders such as ``{{free_limit}}``,
  ``${name}``, ``{% block %}``, ``%%TITLE%%``, PHP warnings, "[object Object]",
  "Please enable JavaScript", "Loading image...").
- ``disclaimer``: syndication, republication, affiliate and advice notes ("...
  auto-generated from a syndicated feed", "This article originally appeared on
  ...", "The views expressed are the author's own", "We may earn a commission
  from affiliate links", "For informational purposes only", "Prices were
  accurate at the time ...").
- ``newsletter``: sign-up prompts and their forms, as imperatives ("Sign up for
  our newsletter", "Get the best stories delivered to your inbox", "Join 10,000
  readers ... in our newsletter", "Enter your email address", "Email Address
  *", "By signing up you agree to our privacy policy", "Thanks for
  subscribing").
- ``cookie``: consent banners and cookie tables ("We use cookies to ...",
  "Accept all cookies", "Cookie settings", "Do not sell my personal
  information", "We and our partners store and/or access information on a
  device", "Strictly necessary cookies"; weak: any block on cookies that
  speaks of consent, browsers, analytics or tracking).
- ``navigation``: menus and skip links ("Skip to main content", "Menu",
  "Search", "Home > News > World", "Back to top", "Previous post", "Table of
  contents", "Load more"), runs of menu items, and what precedes the article.
- ``advertising``: ad slots and sponsored content ("Advertisement", "Sponsored
  content", "Story continues below advertisement", "Scroll to continue
  reading", "This content is provided by our sponsor").
- ``credits``: wire credits, bylines and author boxes ("Reporting by ...;
  Editing by ...", "(Additional reporting by ...)", "By Name and Name",
  "About the author", "About Us", "About NPR", "5 min read"; weak: a bio
  such as "Name is a staff writer at ...", "Hi, I'm Name, a food writer ...").
- ``legal``: footers ("© 2024 Example Media. All rights reserved.", "Privacy
  Policy", "Terms of Use", "... are registered trademarks of ...").
- ``comments``: reader comment sections ("12 Comments", "Leave a Reply",
  "Reply", "Name says:", "name commented Mar 3, 2025", "Your email address
  will not be published"), and the comments under them after the article.
- ``outside``: text after the article ends that no rule names (a promotion,
  a site blurb, a teaser paragraph).
"""
from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import NamedTuple


from ..config import Config
from ..decide import Found
from ..records import Block, Finding, Ref
from .. import _core
from ..sign import BlockSig
from .repeats import near_repeats


@dataclass(frozen=True)
class Family:
    """Phrasings of one chrome kind; it applies to blocks of at most max_words words.

    A family names its trigger words (lower-case, as the block's words are
    split at punctuation) or characters, one of which every match contains; it
    is only tried on blocks that hold one, so a block costs a set intersection
    and a search or two rather than a hundred searches. A weak family
    only steers where the article ends: its blocks go when they lie outside
    the article, and stay inside it.
    """

    kind: str
    max_words: int
    patterns: tuple[str, ...]
    words: frozenset[str] = frozenset()
    chars: tuple[str, ...] = ()
    weak: bool = False
    #: Whether its block, after most of the page's prose, ends the article (see `_close_article`).
    closes: bool = False


def _family(kind: str, max_words: int, *patterns: str, words: str = "", chars: str = "", weak: bool = False,
            closes: bool = False) -> Family:
    if not (words or chars):
        raise ValueError(f"a {kind} family needs trigger words or characters")
    return Family(kind, max_words, patterns, frozenset(words.split()), tuple(chars.split()), weak, closes)


_CUR = r"(?:[$€£¥₹₩₽₺]|rs\.?|inr|usd|eur|gbp|aud|cad|chf)"
_PERIOD = r"(?:day|week|month|mo|year|yr|annum|quarter)s?"
_AGENCY = (
    r"(?:reuters|ap|afp|epa(?:-efe)?|getty images|getty|bloomberg|xinhua|shutterstock|istock(?:photo)?|alamy|"
    r"pa(?: images| wire)?|ani|pti|ians|unsplash|pexels|pixabay|anadolu(?: agency)?|kyodo|yonhap|tass|sipa|"
    r"zuma(?: press)?|nurphoto|sopa images|wireimage|filmmagic|corbis|dpa|ansa|efe|imago|picture alliance|rex|"
    r"rex/shutterstock|canva|adobe stock|dreamstime|depositphotos|123rf)"
)
#: A person's or organisation's name: capitalised words (case-sensitive even inside a case-blind pattern).
_NAME = r"(?-i:[A-Z][\w.'’-]*)(?:\s+(?-i:[A-Z][\w.'’-]*|de|da|van|von|der|del|la|le|bin|al)){0,4}"
#: A commenter's name: two to five words, none starting with a lower-case Latin letter (any script's name).
_COMMENTER = r"(?-i:(?![a-z])[\w.'’-]+(?: (?![a-z])[\w.'’-]+){1,4})"
_NETWORK_WORDS = (
    "facebook twitter x linkedin instagram tiktok youtube threads mastodon bluesky snapchat telegram whatsapp "
    "pinterest reddit tumblr flipboard messenger vk vkontakte weibo wechat line discord rss"
)
_NETWORK = "(?:" + "|".join(_NETWORK_WORDS.split()) + ")"

FAMILIES: tuple[Family, ...] = (
    _family(
        "template-error",
        60,
        r"\[an error (?:has )?occurred while processing (?:this|the) directive\]",
        r"\b(?:warning|notice|fatal error|parse error|deprecated)\b:.*\bon line \d+",
        r"\b(?:please )?(?:enable|turn on|activate) javascript\b|\bjavascript (?:is )?(?:required|disabled|must be enabled)\b",
        r"\byour browser (?:does not|doesn['’]t) support\b|\b(?:upgrade|update) your browser\b",
        r"^(?:undefined|null|nan|\[object object\])$",
        r"^loading(?: [\w-]+){0,2}\s*(?:\.\.\.|…)$",
        words="error line javascript browser undefined null nan object loading",
    ),
    _family(
        "template-error",
        60,
        r"\{\{\s*[\w.|: -]+\s*\}\}",
        r"\{%-?\s*\w+.*?%\}",
        r"\$\{\s*\w[\w.]*\s*\}",
        r"%%[A-Z_]{2,}%%",
        r"<!--\s*#\s*(?:include|echo|exec)",
        chars="{{ {% ${ %% <!--",
    ),
    _family(
        "paywall",
        40,
        r"\breached (?:your|the) (?:\w+ )?(?:limit|maximum)\b",
        r"\b(?:free|remaining) (?:articles?|stories|reads|pieces)\b.*\b(?:left|remaining|this month|per month|a month)\b",
        r"\bsubscribe (?:now |today )?(?:to|and) (?:continue|read|keep reading|get unlimited|unlock)\b",
        r"\bsubscribe (?:now |today )?for (?:unlimited|full|complete|instant) (?:access|reading)\b",
        r"\balready (?:an? )?(?:subscriber|subscribed|member|registered|have an account)\s*\?",
        r"^(?:to )?(?:continue|keep) reading(?: (?:this|the) (?:article|story))?\s*(?:[.:→>»…]|\.\.\.)?$",
        r"\b(?:article|story|content|piece|post|feature) is (?:only |exclusively )?(?:available|reserved|exclusive|free) "
        r"(?:to|for) (?:our )?(?:[\w+]+ ){0,2}(?:subscribers|members|registered|paying)",
        r"\b(?:subscribers?|members?)[- ]only\b",
        r"\bunlock (?:this|the full|full|unlimited|all|premium) (?:\w+ )?(?:article|story|access|content|stories|articles|reading)\b",
        r"\b(?:log|sign) ?in (?:to|and) (?:read|continue|access|view|keep)\b",
        r"\b(?:get|gain|enjoy) (?:unlimited|full|premium) (?:digital )?access\b",
        r"\bcreate (?:a )?free account to\b",
        r"\b(?:become|join as) a (?:member|subscriber|supporter) to (?:read|continue|access|unlock|keep)\b",
        r"\b(?:register|sign up) (?:now |today )?(?:for free )?to (?:continue|read|keep reading|unlock)\b",
        words="reached articles article stories reads pieces subscribe already subscribers subscriber members "
        "member registered paying unlock log sign login signin access account supporter register signup continue keep",
    ),
    _family(
        "subscription",
        5,
        r"^(?:monthly|yearly|annual(?:ly)?|quarterly|weekly|per month|per year)(?: plan| subscription| access)?$",
        r"^(?:subscribe|subscribe now|subscribe today|get started|buy now|best value)\s*[!→>»]*$",
        r"^(?:choose|select|compare|pick) (?:your|a|the) (?:plan|subscription|package)s?\s*[:!→>»]*$",
        words="monthly yearly annual annually quarterly weekly per subscribe get buy best choose select compare pick",
    ),
    _family(
        "subscription",
        25,
        r"\b(?:renews? automatically|auto-?renew(?:s|al)?|cancel (?:at )?any ?time|billed (?:monthly|annually|yearly))\b",
        r"\b(?:our|the|all|compare|choose|view|see) (?:digital |print |premium )?subscription (?:plans?|options|packages?|offers?|tiers?)\b",
        r"^(?:choose|select|compare|pick) (?:your|a|the) (?:plan|subscription|package)",
        r"\b(?:start|begin|try) (?:your |a )?(?:[\w-]+ )?free trial\b|^try (?:it )?(?:for )?free\b",
        words="renew renews renewal autorenew autorenews autorenewal cancel billed subscription choose select compare "
        "pick trial try",
        # Renewal terms and trials are a plan table after a paywall, and the facts of a review of a service.
        weak=True,
    ),
    # Prices and periods alone are a plan table after a paywall, but also a product review's facts.
    _family(
        "subscription",
        25,
        rf"^{_CUR}\s?\d[\d,. ]*(?:\s*(?:/|per|a)\s*{_PERIOD})?$",
        rf"^\d[\d,. ]*\s?{_CUR}\s*(?:(?:/|per|a)\s*{_PERIOD})?$",
        rf"{_CUR}\s?\d[\d,.]*\s*(?:/|per|a|every)\s*{_PERIOD}\b",
        words="rs inr usd eur gbp aud cad chf",
        chars="$ € £ ¥ ₹ ₩ ₽ ₺",
        weak=True,
    ),
    _family(
        "subscription",
        25,
        rf"^\d+\s+{_PERIOD}$",
        words="day days week weeks month months mo mos year years yr yrs annum quarter quarters",
        weak=True,
    ),
    _family(
        "caption",
        70,
        r"^(?:file )?(?:photo|image|picture|pictured|photograph|foto|caption|graphic|illustration)s?\s*[:|]",
        r"^\(?(?:photo|image|picture|video)s?(?: by| credit| source| courtesy)?\s*:",
        r"^(?:(?:image |photo |picture )(?:credit|source|courtesy)s?|credits?|courtesy)\s*:",
        rf"\bphoto(?:graph)?(?: by| credit)?\s*:?\s*{_NAME}\s*(?:/|for|via)\s*\S+",
        r"\bphoto(?: by)? [^.]{2,60} on (?:https?://)?(?:\w+\.)?(?:unsplash|pexels|pixabay)\b",
        # A picture's description, then its credit: "... on the chip looks gray. Photo: Greenhouse Studio",
        # "... when you're brushing too hard. Credit: Name", "... interior | Image credit: Name", "... this year.
        # Photo by Name for Resy", "... Island (Image via Unsplash)". (Not a quote's
        # source, "...” – Source: Name", nor a chart's source line, "Source: ... | Image credit: ...".)
        r"^(?!\s*sources?\s*:).{10,}?(?:[.!?)]\s+|(?<![”\"])\s[|–—]\s*|\()(?:(?:photo|photos|image|images|credit|credits|"
        r"photography|photo credits?|image credits?|source)\s*:|(?:(?:photo|image|picture|photograph|illustration)s? "
        r"(?:by|courtesy of|via)|courtesy of)\s)\s*(?-i:[A-Z@])[^.!?()]{1,80}[.)]?$",
        # A credit alone on its line: "Image by Peter Carvill via One Fab Day".
        r"^(?:photo|image|picture|photograph)s? (?:by|courtesy of|via) (?-i:[A-Z@])[^.!?]{1,80}$",
        words="file photo photos image images picture pictures pictured photograph photographs foto caption captions "
        "graphic illustration video videos credit credits courtesy photography source",
    ),
    # "Source: ..." credits a photo, or a chart or table of the article.
    _family("caption", 30, r"^sources?\s*:", words="source sources", weak=True),
    _family(
        "caption",
        70,
        rf"\b{_AGENCY}\s*(?:/|via|for)\s*{_NAME}(?:\s*/\s*file(?: photo)?)?\s*[.)\]]*$",
        rf"(?:^|\s){_NAME}\s*(?:/|via)\s*{_AGENCY}(?:\s*(?:/|via)\s*[\w ]{{1,30}})?\s*[.)\]]*$",
        rf"\((?:{_AGENCY}(?:\s+photo)?|{_NAME}\s+photo|photo)\s*/\s*[^)]{{2,60}}\)$",
        r"\b(?-i:[A-Z]{2,})/(?-i:[A-Z][a-z]+)(?:\s+(?-i:[A-Z][a-z]+))+(?:/file(?: photo)?)?$",
        chars="/",
    ),
    _family(
        "caption",
        8,
        r"^(?:(?:open|close|hide|show|toggle|view) (?:image |photo )?caption|caption|photo credit|image credit|"
        r"enlarge (?:this )?(?:image|photo)|view (?:gallery|slideshow|full image|larger image)|\d+ of \d+ (?:photos|images))$",
        words="caption enlarge gallery slideshow image photos images",
    ),
    # (The first alternative ends the header, colon or none: the word boundary the others end at cannot follow a
    # colon, so "Related articles:" never matched while the boundary closed them all.)
    _family(
        "related",
        8,
        r"^(?:(?:related|recommended|popular|trending|latest)(?: (?:news|posts?|articles?|stories|reads|content|videos|reading|"
        r"links|items|products|guides|topics|for you|now|today|this week|on \w+|in \w+))*\s*[:：]?$|(?:"
        r"must[- ]reads?|top stories|see also|also read|read (?:more|also|next)|"
        r"you (?:may|might|could) (?:also )?(?:like|enjoy|be interested)|more (?:from|on|in|about|stories|news|articles|posts|to read|like this)|"
        r"editor['’]?s?['’]? (?:picks?|choice)|most (?:read|popular|viewed|shared|recent)|further reading|keep reading|what to read next|up next|"
        r"watch next|don['’]?t miss|in case you missed it|recent (?:posts|articles|stories|news)|other stories|"
        r"similar (?:articles|posts|stories)|you may have missed|(?:also|recently|more) (?:from|by)|read this next|"
        r"(?:suggested|other|more|similar|popular|related)(?: \w+){0,2} (?:articles?|posts|stories|reads|reading|videos|"
        r"blogs?|guides)|more you (?:may|might) (?:like|enjoy))\b[^.!?]*(?:\.{3}|…)?$)",
        words="related recommended popular trending latest must top see also read you more editor editors "
        "most further keep what up watch don dont in recent other similar suggested",
        closes=True,
    ),
    _family(
        "related",
        30,
        r"^(?:read more|read also|also read|see also|related|more|watch|listen|recommended|read next|also see|must read)\s*[:|»›>]\s*\S",
        words="read also see related more watch listen recommended must",
    ),
    # The same section headers in Chinese (simplified and traditional): "相关文章", "【相关报道】", "推荐阅读",
    # "猜你喜欢", "您可能會有興趣的文章". (A header alone on its line, marks and brackets around it.)
    _family(
        "related",
        8,
        r"^[\W_]*(?:(?:相关|相關|推荐|推薦|延伸|热门|熱門|精彩|更多)(?:文章|新闻|新聞|报道|報導|阅读|閱讀|链接|連結|专题|專題|"
        r"内容|內容|推荐|推薦|视频|影片|资讯|資訊)|猜你喜欢|猜你喜歡|[您你]可能(?:会|會)?(?:有兴趣|有興趣|感兴趣|感興趣|喜欢|喜歡)"
        r"\w{0,4})[\W_]*$",
        chars="相关 相關 推荐 推薦 延伸 热门 熱門 精彩 更多 猜你 可能",
        closes=True,
    ),
    # The same headers in Japanese and Korean: "関連記事", "【関連記事】", "おすすめ記事", "あわせて読みたい",
    # "관련 기사", "함께 보면 좋은 글", "인기 글".
    _family(
        "related",
        8,
        r"^[\W_]*(?:関連(?:記事|ニュース|情報|コンテンツ|動画|リンク)?|おすすめ(?:の)?(?:記事|情報|コンテンツ)|人気(?:の)?(?:記事|ランキング)|"
        r"新着記事|最新記事|こちらの記事もおすすめ|[あ合]わせて読みたい|この記事を読んだ人(?:は|に)(?:こんな記事も読んでいます|おすすめ)|"
        r"관련(?:\s?(?:글|기사|뉴스|포스트|게시물|콘텐츠|영상))?|추천\s?(?:글|기사|포스트|콘텐츠)|인기\s?(?:글|기사|포스트)|"
        r"최근\s?(?:글|기사|포스트)|함께\s?(?:보면|읽으면)\s?좋은\s?(?:글|기사)|다른\s?(?:글|기사))[\W_]*$",
        chars="関連 おすすめ 人気 新着 最新 読みたい この記事 관련 추천 인기 최근 함께 다른",
        closes=True,
    ),
    # Comment section headers in Chinese: "评论", "网友评论 (12)", "留言列表 (42)", "发表评论", "热门评论".
    _family(
        "comments",
        8,
        r"^[\W_]*(?:\d+\s*)?(?:条|條|则|則)?(?:网友|網友|读者|讀者|最新|热门|熱門|全部|精彩|发表|發表|参与|參與|我要|添加|查看|更多)?"
        r"(?:评论|評論|留言)(?:列表|区|區)?[\W_]*(?:\d+\s*(?:条|條|则|則)?)?[\W_]*$",
        # A count of the comments after a title: "《标题》已有1件评论", "共 11 篇评论".
        r"^.{0,60}?(?:已有|共有?)\s*\d+\s*(?:件|篇|条|條|则|則|个|個)(?:评论|評論|留言)[\W_]*$",
        chars="评论 評論 留言",
    ),
    # The same headers in other languages written with spaces (French, Spanish, Portuguese, Italian, German, Dutch,
    # Czech, Polish): a header alone on its line, marks around it. ("Relacionadas", "Sur le même sujet", "Související")
    _family(
        "related",
        8,
        r"^[\W_]*(?:sur le même sujet|(?:à )?lire (?:aussi|également)|(?:à )?voir aussi|les plus (?:lus|partagés|commentés)|"
        r"articles? (?:liés|similaires|relacionad[oa]s|correlati)|dans la même rubrique|"
        r"(?:noticias|notícias|matérias|tópicos|temas|artículos) relacionad[oa]s|relacionad[oa]s|"
        r"le(?:a|e|ia) (?:también|também|mais)|veja (?:também|mais)|ver también|(?:también )?te puede interesar|"
        r"(?:lo )?más (?:leíd[oa]s?|vist[oa]s)|mais (?:lid[oa]s|vist[oa]s)|leggi anche|(?:ti )?potrebbe interessarti|"
        r"i più letti|mehr zum thema|das könnte sie auch interessieren|auch interessant|meistgelesen|"
        r"(?:weitere|ähnliche|verwandte) artikel|lesen sie auch|lees ook|gerelateerde artikelen|meest gelezen|"
        r"související(?: články| zprávy)?|nejčtenější|mohlo by vás zajímat|přečtěte si (?:také|též)|další zprávy|"
        r"czytaj (?:także|też)|zobacz (?:także|też)|powiązane artykuły|najczęściej czytane)[\W_]*$",
        words="sur lire voir les articles article dans noticias notícias matérias tópicos temas artículos relacionados "
        "relacionadas relacionados lea lee leia veja ver también te lo más mais leggi ti potrebbe i mehr das auch "
        "meistgelesen weitere ähnliche verwandte lesen lees gerelateerde meest související nejčtenější mohlo přečtěte "
        "další czytaj zobacz powiązane najczęściej",
        closes=True,
    ),
    _family(
        "comments",
        8,
        r"^[\W_]*(?:\d+\s+)?(?:comentários|comentarios|commentaires|kommentare|komentáře|komentarze|commenti|reacties|"
        r"réactions|diskuse|diskuze|opiniones)\s*(?:\(\d+\))?[\W_]*$",
        words="comentários comentarios commentaires kommentare komentáře komentarze commenti reacties réactions diskuse "
        "diskuze opiniones",
    ),
    _family(
        "social",
        12,
        rf"^{_NETWORK}\s*[:|-]?\s*@[\w.]+$",
        rf"^(?:follow|find|like|join|connect with|subscribe to) (?:us|me|him|her|them|[\w@.]+(?: [\w@.]+)?) on (?:{_NETWORK}|social media)\b",
        r"^(?:follow(?: us| me)?|follow unfollow|stay connected|connect with us|find us on|share (?:this|the) (?:article|story|post|page)|share it)\s*:?$",
        r"^follow (?:publication|author|writer|topic|this (?:author|topic|blog|publication))$",
        r"\bshare (?:it |this )?(?:to|with) your (?:network|friends|followers)\b",
        r"^(?:share|tweet|pin|email|print|copy link|copy url|save)(?: (?:this|it|on|via|to|with)\b.*| the (?:article|story|post|page|link)\b.*| (?:article|story|post|page|link))?$",
        rf"^(?:(?:{_NETWORK}|email|e-mail|print|copy|link|url|share|sms|mail|save|tweet|pin)[\s,|/•·-]*){{2,}}$",
        rf"\b(?:click to (?:share|email|print)|share (?:this |it )?(?:on|via|to) (?:\w+ )?{_NETWORK}|opens in (?:a )?new window)\b",
        words=_NETWORK_WORDS + " follow find like join connect subscribe stay share tweet pin email e mail print copy save "
        "link url sms click opens",
        closes=True,
    ),
    _family("social", 12, r"^@\w{2,}$", chars="@", closes=True),
    # A prompt to rate the page, after it: "Was this page helpful?", "Did you find the article helpful?", "How useful
    # was this post?", "Rate this article", "Click on a star to rate it!", and in other languages ("War dieser
    # Artikel hilfreich?", "Cet article vous a-t-il été utile ?", "¿Te ha resultado útil?", "这篇文章对您有帮助吗").
    _family(
        "social",
        12,
        r"^[\W_]*(?:was (?:this|the) (?:\w+ ){0,2}(?:helpful|useful)|did you find (?:this|the|our) (?:\w+ ){0,2}(?:helpful|useful)|"
        r"how (?:useful|helpful) (?:was|is|did you find) this|is this (?:page|article|post|information) (?:helpful|useful)|"
        r"rate this (?:article|post|page|recipe|story|guide)|click on a star to rate|how would you rate this|"
        r"(?:war|ist) (?:dieser|diese|dieses) (?:\w+ )?(?:hilfreich|nützlich)|"
        r"(?:cet|cette) (?:article|page|information) (?:vous )?a-t-(?:il|elle) été utile|"
        r"(?:te|le) (?:ha )?(?:resultado|resultó|fue|ha sido) útil|(?:este|esta) (?:artigo|página|conteúdo|artículo) (?:foi|fue) útil|"
        r"questo articolo (?:ti )?è stato utile|was (?:dit|deze) (?:artikel|pagina|informatie) (?:nuttig|handig)|"
        r"这篇文章对[您你]有帮助吗|这(?:篇文章|个页面)有帮助吗|このページは役に立ちましたか|この記事は役に立ちましたか)"
        r"[^.!?。]*(?:[?？!！](?:\s*(?:yes|no)\b)*)?\s*$",
        # (triggered by the judging word every alternative holds: "was", "is" or "le" would try it on most lines)
        words="helpful useful rate hilfreich nützlich utile útil nuttig handig",
        chars="帮助 役に立",
        closes=True,
    ),
    # A network's name alone is a share button, or the heading of a paragraph about that network.
    _family("social", 1, rf"^{_NETWORK}$", words=_NETWORK_WORDS, weak=True),
    _family(
        "tags",
        40,
        r"^(?:tags?|topics?|categories|category|keywords|more about|related (?:topics|tags))\s*(?:[:,|]|$)",
        r"^(?:tagged(?: with)?|filed under|posted in)\s*(?:[:,|]|$|\s+\S)",
        words="tagged tag tags filed topic topics categories category keywords posted more related",
    ),
    _family(
        "comments",
        12,
        r"^(?:\d+\s+)?(?:(?:reader|user|readers['’]?|visitor) )?(?:comments?|responses?|replies|reactions|discussion)\s*(?:\(\d+\))?\s*:?$",
        r"^(?:comments? navigation|(?:older|newer|previous|next) comments|comments? (?:are )?closed\.?)$",
        # A commenter's name or handle (one word, or words none of which starts in lower case), after its time
        # maybe ("16 minutes ago, Kerbart said:"); "Here is what my son says:" in a testimonial is a sentence.
        rf"^(?:[^.!?,]{{1,30}}, )?(?:[\w.@-]{{1,40}}|{_COMMENTER}) (?:says:?|said:|wrote:|replied:)$",
        r"^(?:leave|post|add|write|submit|view|show|load|hide) (?:a |your |more |all |the |earlier |older |previous |new )?"
        r"(?:comments?|reply|replies|response)\b",
        r"^[\w.-]{1,40} commented\b",
        r"^(?:join|start) the (?:discussion|conversation)\b",
        r"^\d+\s+(?:thoughts?|responses?|comments?|replies) (?:on|to)\b",
        r"^(?:reply|reply to comment|cancel reply|report(?: comment)?|quote|permalink)$",
        words="comment comments response responses replies reactions discussion reply conversation thought thoughts "
        "report quote permalink says said wrote replied commented",
    ),
    _family(
        "comments",
        40,
        r"\byour email address will not be published\b|\brequired fields are marked\b",
        r"\bsave my name, email\b|\bnotify me of (?:new|follow-up) (?:comments|posts|replies)\b",
        r"\b(?:you must be|please) (?:logged|log|signed|sign) in to (?:post a )?comment\b",
        r"\breduce spam\b|\bcomment data is processed\b",
        words="email marked notify comment spam",
    ),
    _family(
        "newsletter",
        40,
        r"^(?:get |join |our )?(?:the )?(?:\w+ )?newsletters?\s*[!:]?$",
        r"^(?:your |work )?e-?mail(?: address)?\s*\*?\s*:?$",
        r"^[^.!?]{0,40}\b(?:in|to) your inbox\s*[!.]?$",
        r"^\*\s*(?:indicates|denotes) (?:a )?required(?: field)?",
        # An imperative: at the start of a sentence, not "readers who subscribe to the newsletter".
        r"(?:^|[.!?:,;]\s*|\band\s+|\bplease\s+)(?:sign ?up|subscribe|register) (?:for|to) (?:(?:our|the|my|a|this|their|\w+['’]s) )?(?:\w+ ){0,3}"
        r"(?:(?:e-?)?newsletters?|mailing list|briefing|digest|alerts|e-?mails?|blog|updates|news)\b",
        r"\b(?:get|join|receive) (?:our|the) (?:\w+ ){0,2}(?:e-?)?newsletters?\b",
        r"\bour (?:[\w-]+ ){0,2}newsletters? (?:is|are|has|brings|delivers|gives)\b",
        r"\b(?:join|subscribe to|sign up for|get)\b[^.!?]{0,80}\b(?:in|to|for|from) our (?:[\w-]+ )?(?:e-?)?newsletters?\b",
        r"\b(?:get|receive|delivered|sent|straight|directly|right)\b[^.!?]{0,60}\b(?:to|in|into) your inbox\b",
        r"^(?:please )?enter (?:your )?e-?mail(?: address)?\b",
        r"\bby (?:signing up|subscribing|clicking|submitting|checking)\b.*\b(?:agree|consent|privacy|terms)\b",
        r"\bthanks? (?:you )?for (?:signing up|subscribing)\b|\byou(?:['’]re| are) (?:now )?subscribed\b",
        r"\bunsubscribe (?:at )?any ?time\b|\bwe (?:respect your privacy|(?:will )?never (?:spam|share your email))\b",
        r"\bi (?:agree|consent) to receive\b",
        r"\b(?:please enter|invalid) (?:a )?(?:valid )?e-?mail(?: address)?\b",
        r"^(?=.*\b(?:newsletters?|inbox|subscribe)\b).*\bstay (?:in the loop|up to date|informed|updated|connected)\b",
        words="newsletter newsletters enewsletter enewsletters email emails mail mailing briefing digest alerts blog "
        "updates inbox indicates denotes "
        "signing subscribing subscribed unsubscribe privacy spam agree consent subscribe sign signup register news",
        closes=True,
    ),
    _family(
        "cookie",
        4,
        r"^(?:strictly )?(?:necessary|functional|performance|analytics?|analytical|targeting|preferences?|statistics|"
        r"uncategori[sz]ed)(?: cookies)?$|^(?:advertisement|advertising|marketing|other) cookies$",
        words="strictly necessary functional performance analytics analytic analytical targeting preference "
        "preferences statistics uncategorized uncategorised cookies",
    ),
    _family(
        "cookie",
        60,
        r"\b(?:we|this (?:web)?site|our (?:web)?site|the (?:web)?site|site) uses? cookies(?:\s*(?:[.,;!]|$)| and (?:similar|other)"
        r" (?:technologies|tools)| to (?:improve|give|ensure|provide|personali[sz]e|enhance|analy[sz]e|understand|offer|deliver|"
        r"remember|measure|collect|make (?:sure|our|this)))",
        r"\bcookies? (?:policy|settings|preferences|consent|notice|statement|declaration)\b",
        r"\baccept (?:all )?cookies\b|^(?:accept|reject|decline|deny|allow) all(?: cookies)?$",
        r"\bby (?:continuing|using)(?: to (?:use|browse))? (?:this|our) (?:site|website)\b",
        r"^manage (?:your )?(?:privacy|consent|cookies?)\w*(?: \w+){0,2}$",
        r"\bdo not sell (?:or share )?my personal information\b",
        r"\bwe and our (?:\d+ )?(?:partners|vendors)\b|\bstore and/or access information on (?:a|your) device\b",
        words="cookie cookies accept reject decline deny allow continuing manage sell partners vendors device",
    ),
    # A consent manager's long notice (the IAB framework's wording, on thousands of sites): the site "and its N
    # partners" doing something to the reader's data or device, or the reader's right to object to "legitimate
    # interest". First person and second person: an article on data law says "companies and their partners".
    _family(
        "cookie",
        120,
        r"\bwe and (?:our |named |selected |trusted )?(?:\d+ )?(?:third[- ]part(?:y|ies) )?(?:partners|vendors|third parties)\b"
        r".*\b(?:cookies|device|personal data|tracking|your data)\b",
        r"\b(?:withdraw your consent|object to (?:the )?(?:processing (?:based on )?)?legitimate interests?)\b",
        words="partners vendors parties withdraw legitimate",
    ),
    _family(
        "cookie",
        200,
        r"^(?=.*\bcookies?\b).*\b(?:consent|browser|analytics|third[- ]party|tracking|opt[- ]out|personal data|"
        r"store and/or access|(?:website|site) to function|improve your experience)\b",
        words="cookie cookies",
        # Any block about cookies and tracking: a consent banner, or a paragraph of an article on web analytics.
        weak=True,
    ),
    _family(
        "disclaimer",
        120,
        r"\b(?:auto-?generated|automatically generated) from (?:a|the) (?:syndicated|wire|news) feed\b",
        r"\bhas not been edited by\b.*\bstaff\b",
        r"\bmay have been (?:reworked|edited|modified) by\b",
        r"\boriginally (?:appeared|published|ran) (?:on|in|at)\b",
        r"\bviews (?:and opinions )?expressed\b.*\b(?:author|necessarily|own)\b",
        words="feed staff reworked edited modified originally expressed",
    ),
    _family(
        "disclaimer",
        120,
        r"^(?:this|the above) (?:article|story|content|post|piece) (?:was|has been|is) (?:originally )?(?:published|republished|"
        r"reprinted|syndicated|reproduced) (?:on|in|by|from|with (?:the )?permission)\b",
        words="published republished reprinted syndicated reproduced",
    ),
    _family(
        "disclaimer",
        120,
        r"\b(?:contains?|may contain|uses?) affiliate links?\b|\baffiliate (?:commission|disclosure|partners?|programs?)\b",
        r"\b(?:we|i|site|this site) (?:may )?(?:earn|receive|make|get) (?:a )?(?:small )?(?:commission|compensation|referral fee)\b",
        r"\bmay (?:earn|receive|get|make) (?:a )?(?:small )?(?:commission|compensation|referral fee)\b",
        r"\b(?:from|through|via|using) (?:our |these |the )?affiliate links?\b",
        r"\bearn from qualifying purchases\b|\bpurchases? (?:made )?through (?:our|these|the) links\b",
        r"\bprices? (?:were|are|was|is) accurate (?:as of|at the time)\b",
        words="affiliate commission compensation referral qualifying links accurate",
    ),
    _family(
        "disclaimer",
        120,
        r"\bfor (?:general )?(?:informational|information|educational) (?:and \w+ )?purposes only\b",
        r"\b(?:not|never) (?:be )?(?:intended|meant|construed) (?:to|as) (?:be )?(?:a substitute for|offer|provide|constitute)?"
        r"\s*(?:personal |professional )?(?:medical|legal|financial|tax|investment) advice\b",
        r"\bdoes not (?:constitute|provide) (?:\w+ )?(?:legal|financial|investment|medical|tax) advice\b",
        r"\bis a registered investment advis[eo]r\b",
        words="purposes advice adviser advisor",
    ),
    _family(
        "advertising",
        8,
        r"^(?:advertisement|advertising|sponsored(?: content| post| by .*)?|sponsor|sponsor message|ads?|promoted(?: content)?|"
        r"paid (?:post|content)|partner content|advertise with us)$",
        r"^scroll (?:down )?to (?:continue|read)",
        words="advertisement advertising sponsored sponsor ad ads promoted paid partner advertise scroll",
    ),
    _family(
        "advertising",
        40,
        r"\b(?:story|article|content|text) continues (?:below|after)\b|\bscroll (?:down )?to continue(?: reading)?\b",
        r"\b(?:content|article|post|story|feature) (?:is |was )?(?:provided|sponsored|paid for|produced|developed|created) "
        r"(?:by|in partnership with) (?:our |a |the )?(?:sponsor|advertiser|partner)s?\b",
        # A credit line ("Developed in partnership with X", "This series was developed in partnership with X"), not
        # the news of an offering some firm developed with another.
        r"\b(?:branded|sponsored) content (?:team|studio)\b|^(?:this (?:[\w-]+ )?(?:was |is )?)?developed in partnership with\b",
        r"\bthis (?:is a |is an )?(?:sponsored|paid|promoted) (?:post|article|content|partnership)\b",
        words="continues scroll sponsor sponsors advertiser advertisers partner partners branded sponsored partnership "
        "promoted paid",
    ),
    _family(
        "credits",
        50,
        r"^\(?\s*(?:additional )?(?:reporting|writing|editing|compiled|edited|written) by\b.*\b(?:editing|reporting|writing) by\b",
        r"^\(\s*(?:additional )?(?:reporting|writing|editing) by\b[^)]*\)$",
        words="reporting writing editing",
    ),
    _family(
        "credits",
        15,
        rf"^(?!.*[.!?]$)(?:(?:written|posted|reviewed|fact[- ]checked|edited|updated|reported|illustrated|photographed|words) )?"
        rf"by:?\s+{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*\s*(?:[,|–—•·-]\s*(?-i:[A-Z0-9]).*)?$",
        r"^\d+\s*(?:min(?:ute)?s?\.?|mins?\.?) read(?:ing time)?$",
        words="by min mins minute minutes",
    ),
    # An author box's header: after the article, the bio and the author's other posts follow it (a byline above
    # does not end anything: a reading list holds one under every title).
    _family(
        "credits",
        15,
        r"^(?:about|meet) (?:the |our )?(?:authors?|writers?|contributors?|editors?)$|^(?:author|writer)(?: bio| profile)?\s*:?$",
        words="author authors writer writers contributor contributors editor editors",
        closes=True,
    ),
    # A site's or a person's box after the article: "About Us", "About NPR", "About DataFeedWatch", "About me": a
    # name of one or two words, not a subject ("About this item", "About authentication", "About how to ..." head a
    # text's own part; with three words a README's "About XCB util modules" closed its last section).
    _family(
        "credits",
        4,
        r"^about (?!(?:this|these|the|how|what|why|when|where|which|who|a|an|our|your|my)\b)(?:us|me|(?-i:[A-Z])\S*)"
        r"(?: \S+)?(?<![.!?,;])\s*:?$",
        words="about",
        closes=True,
    ),
    _family(
        "credits",
        90,
        rf"^{_NAME},?(?:\s+\([^)]{{1,40}}\))?\s+(?:is|has been|was|serves as|works as|joined|covers|writes|reports)\s+"
        r"(?:(?:a|an|the|our|\w+['’]s|about|on)\s)?"
        r".{0,160}?\b(?:writer|editor|journalist|reporter|author|contributor|columnist|correspondent|blogger|photographer|"
        r"founder|co-founder|expert|specialist|analyst|consultant|strategist|producer|host|freelancer?|marketer|"
        r"researcher|educator|designer)s?\b",
        r"^(?:hi[,!]?\s+)?(?:i['’]m|i am) \w+(?: \w+)?, (?:and |a |an |the )?.{0,120}\b(?:writer|editor|author|founder|creator|blogger|specialist|cover|oversee)\w*\b",
        words="writer writers editor editors journalist journalists reporter reporters author authors contributor "
        "contributors columnist correspondent blogger photographer founder expert specialist analyst consultant "
        "strategist producer host hosts freelance freelancer marketer researcher educator designer creator oversee cover",
        weak=True,
    ),
    _family(
        "legal",
        20,
        r"^(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4}))",
        r"\ball rights reserved\b",
        r"^(?:privacy(?: policy| notice| statement| center| settings)?|terms(?: of (?:use|service|sale))?|terms (?:and|&) conditions|"
        r"legal(?: notice)?|imprint|impressum|accessibility(?: statement| policy)?|sitemap|site map|disclaimer|"
        r"(?:editorial|disclosure|corrections|ethics|accessibility|cookie) polic(?:y|ies)|your privacy choices|ad ?choices)$",
        words="c copyright reserved privacy terms legal imprint impressum accessibility sitemap site disclaimer policy "
        "policies choices adchoices",
        chars="©",
    ),
    _family(
        "legal",
        80,
        r"^(?:copyright\s*)?©\s*(?:\d{4}|copyright)",
        r"\b(?:are|is) (?:a )?(?:registered )?trademarks? of\b",
        words="trademark trademarks",
        chars="©",
    ),
    _family(
        "navigation",
        8,
        r"^(?:skip to (?:the )?(?:main )?(?:content|navigation|search|footer)|skip navigation|main menu|primary menu|"
        r"(?:open|close|toggle) (?:the )?(?:navigation|menu|search|sub-?navigation)(?: menu)?|"
        r"menu|search|home|back to top|go to top|top|log ?in|sign ?in|sign ?up|log ?out|register|my account|account|subscribe|"
        r"more|next|previous|prev|back|close|open|show|hide|expand|collapse|load more|show more|see more|view more|view all|see all|"
        r"learn more|read more|contact|contact us|about|about us|breadcrumbs?|you are here:?|table of contents|contents|"
        r"on this page|in this article|jump to|×|✕|accessibility links|keyboard shortcuts.*|"
        r"(?:previous|next|prev|older|newer) (?:post|article|story|entry|page|posts|articles|entries)\b.*|"
        r"[←‹«<]\s*(?:back|all|return)\b.*|back to (?:blog|news|articles|all \w+|\w+)\s*)$",
        r"^(?:home|start)\s*[>/»›|]\s*\S",
        r"\bexpand/collapse\b|\bsubmenu\b|\bsub-navigation\b",
        words="skip main primary open close toggle menu search home back go top log login sign signin signup logout "
        "register my account subscribe more next previous prev show hide expand collapse load see view learn read "
        "contact about breadcrumb breadcrumbs you table contents on in jump accessibility keyboard older newer "
        "return start submenu navigation",
        chars="× ✕ ← ‹ « <",
    ),
)
#: The byline family ("By NAME", "5 min read"): one under each item of a list in an extractor's main text (the core's
#: `chrome/rules.rs` leaves it out there when several items carry it).
_BYLINE = next(f for f in FAMILIES if f.kind == "credits" and "by" in f.words)

# Block classes for the article's extent (the compiled core's `classify.rs` numbers and reads them).
GOOD, NEAR, SHORT, BAD, CHROME, WEAK, ITEM, CODE = _core.BLOCK_CLASSES

#: The weights and thresholds of the extent step (the article, where it closes, the teasers, the sections) are the
#: core's (`chrome/extent.rs`, `chrome/sections.rs`, with the measurements they were tuned on); this one is read by
#: the tests.
CLOSE_SHARE = _core.CLOSE_SHARE
LOOSE_SHARE = _core.LOOSE_SHARE
#: Prose counts fully from this many words; a shorter sentence counts half (a teaser's blurb, a caption): the
#: core's `classify.rs` applies it.
GOOD_MIN = _core.GOOD_MIN

#: English function words: running text is about a third of them, menus and link lists almost none.
ENGLISH_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves may might must shall us let it's i'm don't
    can't we're they're you're""".split()
)
#: The commonest function words of other languages written with spaces (French, German, Spanish,
#: Portuguese, Italian, Dutch, Czech, Polish), less those that are English words too ("son", "die"):
#: their running text is a quarter to a third of them, as English text is of English ones.
OTHER_WORDS = frozenset(
    """le la les l un une des du de d et est en au aux ce cette ces qui que qu dans pour par sur pas ne il elle ils
    nous vous sont avec plus sa ses se ou mais où été être
    der das dem des und ist nicht ein eine einen einem einer sich auf für mit von zu im ich es sie wir
    auch werden wird wurde sind haben dass oder aber nach bei aus wie noch nur über vor zum zur am
    el los las y es del al lo se por para una su sus más pero como está sin sobre entre también fue ha
    o os do da dos das em no na nos nas uma é não mais com ao pelo pela seu sua foi ser tem
    il di che è non gli nel nella della delle degli dei sono ma si anche come più ha alla questo
    het een van en dat zijn niet met voor ook maar om aan bij hij wordt worden naar
    a v se na je že s z do to o k i pro jako ale by jsou byl která který které jeho po
    w i z na się nie do to że jest o jak ale po co tak za od są ja przez""".split()
) - ENGLISH_WORDS
#: Function words of every language above: a block's share of them tells running text from a menu.
STOP_WORDS = ENGLISH_WORDS | OTHER_WORDS
#: (A document whose words are fewer than a fifth of stop words has none of these languages' running text, or is
#: mostly lists: the stop-word test is off; the core's `classify::ENGLISH_STOP_SHARE`.)


class _Matcher:
    """The families indexed by their trigger words and characters (the compiled core looks a block's words and
    characters up in it, then tries the families they name, their patterns compiled once: `phrases.rs`)."""

    def __init__(self, families: tuple[Family, ...]):
        self.by_word: dict[str, list[int]] = {}
        for i, f in enumerate(families):
            for w in f.words:
                self.by_word.setdefault(w, []).append(i)
        self.trigger_words = frozenset(self.by_word)
        self.by_char = [(i, f.chars) for i, f in enumerate(families) if f.chars]
        #: No family applies to a longer block, so a longer block needs no look at its words.
        self.max_words = max(f.max_words for f in families)


MATCHER = _Matcher(FAMILIES)

#: Words are read from this many characters at most: beyond it only the longest families apply, and
#: their trigger words, like the share of function words, show in the first hundred words.
HEAD = 1000
#: Scripts written without spaces between words (Thai, Lao, Tibetan, Myanmar, Khmer, kana, Han), as inclusive
#: ranges of code points: sign.py and the word split count a run of them as one word, however long.
UNSPACED = (
    (0x0E00, 0x0EFF), (0x0F00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x3040, 0x30FF), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F),
)
#: Characters of an unspaced script that weigh as one word in the extent step. A Chinese word is one to
#: three characters, but the step's weights were set on English: on webpages-multi's Chinese and Japanese
#: pages F1 was 0.810 at 2 and 3 characters a word, 0.838 at 4, 0.842 at 5, 0.837 at 6, 0.829 at 7.
UNSPACED_CHARS_PER_WORD = 5
#: A block ends a sentence when, less its trailing white space and then these closing quotes and brackets, it
#: ends with one of these characters.
TERMINAL_CHARS = ".!?…。！？"
CLOSERS = "\"'”’)]）」』】》〉"
#: Clause marks of the scripts without spaces (a full-width comma, a semicolon): a block written in such a script
#: that holds one is running text, as one that ends a sentence is (a paragraph the dump cut before its end, or one
#: that ends in a colon before a list). Not the enumeration comma "、", which lists names in a headline or a table.
CLAUSE_CHARS = "，；"
#: Characters a code listing is made of (a block of many is code, not prose).
CODE_CHARS = "{};="


def _core_lexicon() -> _core.Lexicon:
    """The stop words, trigger words and characters and the classes above, handed to the compiled core once."""
    if len(FAMILIES) > 64:
        raise AssertionError("the core marks families in a 64-bit mask: at most 64 families")
    masks = {w: sum(1 << i for i in families) for w, families in MATCHER.by_word.items()}
    words = {w: (masks.get(w, 0), w in STOP_WORDS) for w in STOP_WORDS | set(masks)}
    chars: dict[str, int] = {}
    for i, triggers in MATCHER.by_char:
        for c in triggers:
            chars[c] = chars.get(c, 0) | 1 << i
    return _core.Lexicon(words, sorted(chars.items()), MATCHER.max_words, HEAD, list(UNSPACED),
                         UNSPACED_CHARS_PER_WORD, CODE_CHARS, TERMINAL_CHARS, CLOSERS, CLAUSE_CHARS,
                         [(f.max_words, list(f.patterns)) for f in FAMILIES])


LEXICON = _core_lexicon()
#: The kinds of chrome, numbered for the core: those it reads by name first (`chrome.rs`'s `KINDS`, "outside"
#: last of them), then any other a family names.
KINDS: tuple[str, ...] = tuple(_core.CHROME_KINDS) + tuple(sorted({f.kind for f in FAMILIES} - set(_core.CHROME_KINDS)))
#: What the core's body reads of each family (its kind's number, whether it is weak, whether it closes the
#: article, whether it is the byline family), in `FAMILIES` order; a block's family crosses as its index there.
_FAMILY_TABLE = _core.ChromeFamilies([KINDS.index(f.kind) for f in FAMILIES], [f.weak for f in FAMILIES],
                                     [f.closes for f in FAMILIES], [f is _BYLINE for f in FAMILIES])
_FAMILY_INDEX = {id(f): i for i, f in enumerate(FAMILIES)}


class Profile(NamedTuple):
    """What the extent step needs to know about a block, from one pass over its words."""

    size: int
    words: int
    stop: int
    capitalised: int
    terminal: bool
    code: int
    unspaced: bool


def profile(text: str, n_words: int) -> Profile:
    """The block's size, counts of words, stop words and capitalised words, end punctuation (or, written without
    spaces, a clause mark), code characters, and whether it is written without spaces (n_words: its word count as
    sign.py counts them).

    Words are split at white space and at every character that is neither a word character nor white space,
    from the first HEAD characters; a word with a character `str.lower` changes is capitalised; a run of an
    UNSPACED script counts UNSPACED_CHARS_PER_WORD characters a word (the compiled core's `features.rs`)."""
    return Profile(*_blocks([text], [n_words])[0][1:8])


def match_rules(text: str, n_words: int | None = None) -> Family | None:
    """The chrome family a block's phrasing belongs to, if any (n_words: its word count as sign.py counts them;
    by default the words of its split)."""
    text = text.strip()
    if n_words is None:
        n_words = LEXICON.features([text], [0])[9][0]
    found = LEXICON.features([text], [n_words])[10][0]
    return None if found < 0 else FAMILIES[found]


def block_rows(texts: list[list[str]], n_words: list[list[int]]) -> list[list[tuple]]:
    """`_blocks` of every document of a batch, with one call into the core for all their blocks."""
    flat = _blocks([t for doc in texts for t in doc], [k for doc in n_words for k in doc])
    out, at = [], 0
    for doc in texts:
        out.append(flat[at : at + len(doc)])
        at += len(doc)
    return out


def _blocks(texts: list[str], n_words: list[int]) -> list[tuple]:
    """Per block: its word count as sign.py counts them, its `Profile`, and the family its phrasing matches (or
    None): `block_columns` as one tuple a block."""
    if not texts:
        return []
    features, families = block_columns(texts, n_words)
    return list(zip(n_words, *features, families))


def block_columns(texts: Sequence[str], n_words: list[int]) -> tuple[tuple, "FamilyList"]:
    """The blocks' profiles as columns (sizes, words, stop words, capitalised words, sentence ends, code
    characters, unspaced) and the family each block's phrasing matches (or None), from one call into the
    compiled core for all the blocks (`features.rs`, and `phrases.rs` for the families: only the families a
    block's trigger words and characters name are tried)."""
    if not texts:
        return ((),) * 7, FamilyList()
    *features, _, _, _, found = LEXICON.features(texts, n_words, False)
    return tuple(features), FamilyList(found)


class FamilyList(list):
    """Per block the family its phrasing matches (or None), and the same as the core's codes (`codes`: a
    family's index in FAMILIES, -1 for none), which `chrome_pages` hands back to the core as they came."""

    __slots__ = ("codes",)

    def __init__(self, codes: list[int] = ()):
        super().__init__(None if i < 0 else FAMILIES[i] for i in codes)
        self.codes = codes


def chrome_pages(texts: list[Sequence[str]], flat: Sequence[str], features: tuple, families: FamilyList,
                 hashes: list[int], whole_pages: list[bool], shown: list[bool],
                 skip: list[bool]) -> list[tuple[Found | list[Finding], str] | None]:
    """Per document of a batch, its chrome findings and its page's kind, in one call into the core for all the
    documents (`chrome.rs`'s `detect_page`: the classes, `page_kind`, `find_chrome`); None for a document in
    skip (a page with repeats, which `detect_page` reads). The blocks come per document (`texts`) and end to end:
    their texts (`flat`: a batch's `_core.Texts`, which the core reads in place), their `block_columns`, the
    hashes of their normalized texts; shown: per document whether it is known to show a site's template (see
    `find_chrome`).

    A whole page's findings come as the columns pass 2 reads (`Found`), made from the core's codes with no
    `Finding` (nothing reads a whole page's findings as records after this: its gates are in the core);
    an extractor's text's as `Finding`s, which the gates on extracted text (detect/__init__.py) read."""
    kinds, counts, blocks, codes, hows, notes, columns = _core.chrome_batch(
        LEXICON, _FAMILY_TABLE, flat, features, families.codes, hashes, list(map(len, texts)), whole_pages, shown,
        skip, [score for _, score in _HOWS])
    out: list[tuple[Found | list[Finding], str] | None] = []
    at = first = 0  # (the document's first finding, and its first block)
    for doc, kind, count, whole, skipped, found in zip(texts, kinds, counts, whole_pages, skip, columns):
        end = at + count
        if skipped:
            out.append(None)
        elif whole:  # (the core made its columns: `found_columns`' labels as codes, `_column_labels`)
            out.append((Found(_column_labels(found[0]), found[1], found[2]), kind))
        else:
            out.append(([Finding(k, *_finding_parts(code, how, note, None if families[first + k] is None
                                                    else families[first + k].kind))
                         for k, code, how, note in zip(blocks[at:end], codes[at:end], hows[at:end], notes[at:end])],
                        kind))
        at = end
        first += len(doc)
    return out


def classify(p: Profile, english: bool) -> int:
    """The class of a block no rule names, for the extent step, from its profile (the core's `classify.rs`).

    GOOD: article prose. NEAR: a short sentence. ITEM: a list item in
    sentence case ("2 cups of flour", "Tent poles or trekking poles"). SHORT:
    a single word, or a capitalised line (a menu item, a heading). BAD: a long
    run of capitalised words or of words without function words (a link
    list, a table). CODE: a code listing. english: the page's running text
    has the stop words of a language with function words.
    """
    return _core.classify_block(*p, english)


def block_classes(rows: list[tuple], texts: list[str], kept: list[int] | None = None,
                  hashes: list[int] | None = None) -> list[int]:
    """The classes of a document's blocks (those of kept, in order, when given) for the extent step, in one call
    into the core (`classify.rs`).

    A block a rule names is CHROME (WEAK for a family that only weighs); the others are classed by their
    profile, with the stop-word test on when the page's words hold running text's share of function words (each
    distinct text counted once when hashes, the blocks' text hashes, are given; a block a rule names not counted,
    as the cleaned copy a second run reads does not hold it). Then a line read as prose or an
    item that is a bar of links weighs as a link list (BAD), and a short sentence without a letter (an
    archive's "12/01/2004 - 01/01/2005", a row of scores) as an item: where function words do not tell
    (another language) it read as a short sentence.
    """
    return _core.block_classes(LEXICON, rows, texts, kept, hashes)


def link_bar(text: str, unspaced_page: bool = False) -> bool:
    """Whether a line is a bar of short links ("Home | News | Sport | Contact", "首页 > 新闻 > 国内 > 社会"):
    four or more short parts between separators; on a page written in a script without spaces (unspaced_page),
    also between spaces where the line holds no clause punctuation ("控制面板 发表文章 文章编辑 评论管理").
    Never a line that ends a sentence (the core's `classify.rs`)."""
    return _core.link_bar(LEXICON, text, unspaced_page)


def find_chrome(
    doc_id: str,
    blocks: list[Block],
    sigs: list[BlockSig],
    config: Config,
    repeats: list[Finding] = (),
    whole_page: bool = True,
    rows: list[tuple] | None = None,
    kind: str | None = None,
    shown_template: bool = False,
) -> list[Finding]:
    """Chrome findings for one document: rule matches, the article's extent, then neighbours.

    whole_page is False for text an extractor already cut down to the article
    (HTML through trafilatura): there the extent and the neighbour steps, made
    for the whole page's text, would only cut into the article (measured on
    webpages-dev pages: recall -0.015 with them, -0.009 without, against
    trafilatura alone), so only the phrasing rules run.

    repeats are the repeat detectors' findings: a repeat of a block inside the
    article weighs nothing in the extent, so that cleaning the cleaned text
    again finds the same article.

    rows, the document's `block_rows` (made for the whole batch at once), are found here when not given.

    kind is the page's kind (`page_kind`; found here when not given): a
    thread's reply headers do not end it, and a page whose prose the extent
    does not mostly hold has no article to cut around (see `_article_shaped`).

    Nor has a page that shows no site's template (no line a rule names, no menu, no trail of sections: the
    core's `extent::shows_template`): text of another kind (an article an extractor already cut out, a
    program's README, a letter) whose short lines are its own. shown_template: the page is known to show one
    (the cleaned copy of a page that did, whose template lines the first run removed: the second look).
    """
    texts = list(map(_TEXT, blocks))
    if rows is None:
        rows = _blocks(texts, list(map(_N_WORDS, sigs)))
    sizes, families = (list(map(itemgetter(j), rows)) for j in (1, 8))
    # Each distinct block counts once in the page's language: the cleaned copy keeps one copy of a repeated
    # block, and a second run must reach the same verdict (a headline pasted twice tipped it). The classes read
    # the rules' matches as the rules made them; the core then leaves out those that are the page's own content
    # (`chrome/rules.rs`: a placeholder in a code sample, a list item about newsletters, a FAQ's answers...).
    classes = block_classes(rows, texts, None, list(map(_HASH, sigs)))
    # The rules' filters, step 2 (the article's extent) and step 3 (the neighbours), in one call into the core.
    if kind is None and whole_page:
        kind = page_kind(blocks, sigs, rows)
    gone = copies = near = None
    if repeats:
        gone, copies, near = _repeats_read(blocks, sigs, config, repeats)
    index = _FAMILY_INDEX
    found = _core.find_chrome(LEXICON, _FAMILY_TABLE, texts, sizes, classes,
                              [-1 if f is None else index[id(f)] for f in families], kind, whole_page, gone, copies, near,
                              shown_template)
    return [Finding(k, *_finding_parts(code, how, note, None if families[k] is None else families[k].kind))
            for k, code, how, note in zip(*found)]


@lru_cache(maxsize=1024)
def _finding_parts(kind: int, how: int, note: int, family: str | None) -> tuple:
    """A finding's category, detector, score, reference and note from the core's codes (`chrome.rs`); family: the
    kind of the family a rule named for its block, if any."""
    name = KINDS[kind]
    text = (f"{name} phrasing", "outside the article", f"{family} phrasing outside the article",
            "menu item", f"between {name} blocks")[note]
    return *_found_parts(kind, how), text


#: Per way a finding is found (the core's `RULE`, `OUTSIDE_ARTICLE`, `CONTEXT`), its detector's name and its score.
_HOWS = (("rule", 0.9), ("outside", 0.7), ("context", 0.6))


@lru_cache(maxsize=256)
def _found_parts(kind: int, how: int) -> tuple:
    """A finding's category, detector, score and reference from the core's codes (`chrome.rs`)."""
    name = KINDS[kind]
    detector, score = _HOWS[how]
    return f"chrome:{name}", f"chrome:{detector}:{name}", score, None


@lru_cache(maxsize=4096)
def _column_labels(codes: bytes) -> tuple[str, ...]:
    """The labels of a whole page's findings as the core numbered them (`chrome/columns.rs`: little-endian u16
    codes, a kind's category as the kind, the detector of (how, kind) as 256 * (1 + how) + kind). A site's pages
    name the same few labels in the same order, so most documents find theirs here."""
    values = array("H", codes)
    if sys.byteorder == "big":
        values.byteswap()
    out = []
    for code in values:
        how, kind = divmod(code, 256)
        out.append(f"chrome:{KINDS[kind]}" if how == 0 else _found_parts(kind, how - 1)[1])
    return tuple(out)


def _repeats_read(blocks, sigs, config, repeats) -> tuple[list[int], list[tuple[int, int]], list[tuple[int, int]]]:
    """What the extent reads of the repeat detectors' findings: the blocks they remove (the extent is read without
    them), and (block, the block it repeats) of the exact and of the near repeats that go (the allow-list keeping a
    block makes it article text again), so that prose the document holds twice counts once where the cleaned text
    keeps it (see `chrome.rs`'s `count_repeats_once`)."""
    block_at = {b.first_line: b.index for b in blocks}
    gone = sorted({f.block for f in repeats if config.wants(f.category)})
    copies: list[tuple[int, int]] = []
    near: list[tuple[int, int]] = []
    for f in repeats:
        if not config.wants(f.category) or config.allowed(f.category, sigs[f.block].hash):
            continue
        (copies if f.category == "repeat" else near).append((f.block, block_at[f.duplicate_of.lines[0]]))
    return gone, copies, near


def page_kind(blocks: list[Block], sigs: list[BlockSig], rows: list[tuple] | None = None,
              gone: frozenset[int] = frozenset()) -> str:
    """The kind of page a document's blocks make (see pagetype.py), from the chrome step's block profiles.

    It is read on what the rules and the repeats leave (gone: the blocks the repeat detectors remove), as a
    second run over the cleaned text reads it.
    """
    texts = list(map(_TEXT, blocks))
    if rows is None:  # (the document's `block_rows`, when the batch's are known)
        rows = _blocks(texts, list(map(_N_WORDS, sigs)))
    # (one call into the core: the blocks no rule names as chrome, their classes, then the kind; pagetype.rs)
    return _core.page_kind(LEXICON, rows, texts, sorted(gone))


_TEXT = attrgetter("text")
_N_WORDS = attrgetter("n_words")
_HASH = attrgetter("hash")


def ends_sentence(text: str) -> bool:
    """Whether a text ends a sentence: its end punctuation in any script, then maybe closing quotes or brackets.

    Read from the end, in the core (`classify.rs`); the duplicate signing rule reads it too.
    """
    return _core.ends_sentence(LEXICON, text)


def ends_sentences(texts: list[str]) -> list[bool]:
    """`ends_sentence` of each text, in one call into the core (pass 1 reads it of a batch's blocks at once)."""
    return _core.ends_sentences(LEXICON, texts)


#: The families that name, in sentences, what a site says of itself (a disclosure, a newsletter's or a paywall's
#: prompt), which an article about affiliate programs, newsletters or subscribers says of its topic too: a list
#: item they match is the article's (the core's `chrome/rules.rs`).
POINT_KINDS = frozenset(_core.CHROME_POINT_KINDS)


def keep_copy_outside_chrome(
    doc_id: str,
    blocks: list[Block],
    sigs: list[BlockSig],
    repeats: list[Finding],
    chrome: list[Finding],
    config: Config,
    whole_page: bool = True,
) -> list[Finding]:
    """Repeat findings adjusted so that the copy a document keeps is not one that chrome removes.

    When the kept copy of an exact repeat sits in a menu or teaser list that
    goes as chrome, the first copy outside chrome is kept instead (the
    article's own paragraph) and the other copies become repeats of it. When
    the longer block that near repeats were kept for goes as chrome (a
    republishing widget holding the whole article), the near repeats are
    found again without it: they stay, unless one repeats another (a headline
    under the menu and the same headline with "Home »" before it), as a second
    run over the cleaned text would find. A copy kept instead of its first
    occurrence is looked at too: it was an exact repeat, so no near repeat was
    sought for it.
    """
    if not repeats:  # (the usual page)
        return repeats
    removed = {f.block for f in chrome if f.score >= config.chrome_threshold and config.wants(f.category)}
    if not removed:
        return repeats
    block_at = {b.first_line: b.index for b in blocks}
    groups: dict[int, list[Finding]] = {}
    for f in repeats:
        if f.category == "repeat":
            groups.setdefault(block_at[f.duplicate_of.lines[0]], []).append(f)
    out: list[Finding] = []
    moved = False  # whether some copy is kept instead of its first occurrence
    for original, copies in sorted(groups.items()):
        keeper = min((f.block for f in copies if f.block not in removed), default=None)
        if original not in removed or keeper is None:
            out += copies
            continue
        moved = True
        ref = Ref(doc_id, blocks[keeper].lines)
        for f in copies:
            if f.block in removed:
                out.append(f)
            elif f.block != keeper:
                out.append(replace(f, duplicate_of=ref, note=f"repeat of lines {_span(ref.lines)}"))
    near = [f for f in repeats if f.category != "repeat"]
    if not moved and not any(block_at[f.duplicate_of.lines[0]] in removed for f in near):
        return out + near
    if not whole_page:  # (no near repeats in an extractor's main text: see find_repeats)
        return out
    exact = {f.block: block_at[f.duplicate_of.lines[0]] for f in out}
    return out + near_repeats(doc_id, blocks, sigs, exact, config, gone=frozenset(removed))


def _span(lines: tuple[int, int]) -> str:
    return str(lines[0]) if lines[0] == lines[1] else f"{lines[0]}-{lines[1]}"
