//! memor's XML helpers against memor 1.4 on CPython 3.11.7 (pyexpat 2.5.0, defusedxml 0.7.1).
//!
//! - `PROBES` and `BUILD_PROBES`: texts and trees with the outcome memor 1.4 gave for each. A
//!   Python script ran `Response(message=text)` then `contains_xml()`, `contains_xml(verify=True)`
//!   and `xml_tree` on every text, `update_message_from_xml(tree)` then `message` on every tree,
//!   and printed these rows; none is hand-written. The texts are every Response message of the
//!   conformance fixtures, the rendered texts of the fixture prompts that hold `<` or `&`, and the
//!   edge cases found while comparing expat, `ElementTree` and `re` with this implementation.
//! - `deep_nesting`: Python's recursion limits, measured the same way.
//! - `conformance_fixtures`: every Response in `$MEMOR_CONFORMANCE/memor/cases.jsonl` (its rendered
//!   text is its message) and the XML operations of `operations.jsonl`.

// Helpers outside `#[test]` functions panic on purpose too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use memor_core::xml::{
    INVALID_XML_TREE_MESSAGE, MAX_BUILD_DEPTH, MAX_TREE_DEPTH, XmlErrorKind, build_xml_string,
    check_well_formed, contains_xml, matches_xml_pattern, xml_tree,
};
use serde_json::{Value, json};

/// `(text, contains_xml(), contains_xml(verify=True), xml_tree outcome)` as memor 1.4 computed
/// them (see the module documentation). An outcome is `{"ok": tree}` or
/// `{"error": {"class", "message"}}`.
#[rustfmt::skip]
const PROBES: &[(&str, bool, bool, &str)] = &[
    // Every Response message in the fixtures (a Response renders as its message).
    ("", false, false, r#"{"ok":{}}"#),
    ("island agreement 🔥 ✅🔥 prompt winter", false, false, r#"{"ok":{}}"#),
    ("Painter constant mislead closure checkpoint tensor problem underline browser mango.", false, false, r#"{"ok":{}}"#),
    ("Window wisdom melody painted mislead grammar table replica rocket started jumping clever darkness schema nation checkpoint! Baker parser packet archive painter squirrel light falcon lexicon constant disconnect painting! World carrot amplitude parser velocity turtle reading question painter model cortex painting agreement work calm tiger Humor undone beauty world reference tensor closure painting context disconnect wrench pressure packet server basil theater. Jumping year walnut rocket loud basil darkness tensor mislead time lexicon friction function browser lantern banana?\n\nTomato winter child ocean readable classes entropy loud? Woman invalid sailor closure number banana time sentence replay loud chapter jumping buffer liberty woman chapter. Reading garlic context sentence melody schema table purple turtle... Session time sentence lantern darkness prepare partition overflow cortex mint museum theater doctor question boxes archive constant falcon? Transport purple reading farmer squirrel reference enzyme problem vanilla lantern problem painter prompt entropy passive portable submarine dancer pressure disconnect?\n\nHonor plum world server tunnel mint clever tomato plum theater falcon session falcon replica river! Archive painted melody underline vanilla checkpoint squirrel sentence ocean winter nonsense carrot undone underway reading sunset replay river. Function unusual portable gentle entropy sunset misread model buffer Humor elephant grape transport blanket hand enzyme checkpoint readable tiger government autumn complex darkness packet question boxes turtle dancer? Hand model famous velocity museum year tunnel amplitude portable vanilla time?\n\nPrepare melody partition morning mirror carrot velocity mislead ocean partition island. Government autumn rewrite invalid schema partition station purple complex light browser boxes world darkness turtle! Lantern pressure constant enzyme checkpoint squirrel amplitude partition question government friction ocean! Replica dangerous painting misread invalid submarine constant river rocket parser light photon... Light submarine dark beauty cashew banana squirrel farmer entropy woman index classes server theater mirror grape question misread painting?\n\nBuffer tunnel passive lightning lightning wrench grape theater problem session checkpoint sentence Government island vanilla writer humor browser island midnight? Model sunset tensor hand rewrite submarine basil function index reference? Schema case melody disagree squirrel coffee underline transport undone lexicon nation disagree government nation case pressure basil Misread readable turtle index pressure closure chapter farmer disconnect garden lantern!\n\nDark humor midnight painted classes jumping carrot replay friction writer schema baker lightning misread replay invalid government painter! Agreement painted tomato garlic function case basil index wisdom. Translate painted mislead comet farmer passive grape window prompt tiger squirrel tunnel velocity molecule mango mint grace undone. Misread reference closure autumn parser replica writer melody elephant... Elephant accent model number honor session farmer purple dancer comet...\n\nAgreement theater mint theater island velocity doctor invalid turtle disconnect classes loud darkness nation theater jumping river. Underline underline lexicon underline melody lantern transport castle? Government checkpoint lantern case grace callback museum checkpoint started? Sailor light calm tiger purple constant woman morning child mint classes partition buffer accent museum jumping... Constant vector reading shovel garlic semantic session browser dangerous penguin passive.\n\nBuffer grammar tiger mislead sailor melody accent translate grace loud elephant grace prompt shovel! Sailor crimson calm prepare server portable falcon complex woman window window dancer? Blanket darkness time painter replay castle year underway window island sentence lightning coffee wisdom passive replay constant lantern. Chapter darkness hand model golden honor morning time gentle orange famous child dark buffer orange writer Overflow honor darkness boxes liberty undone table grammar constant reference golden morning schema!", false, false, r#"{"ok":{}}"#),
    ("dangerous day 🏳\u{fe0f}\u{200d}🌈 🔥🏳\u{fe0f}\u{200d}🌈 semantic carrot", false, false, r#"{"ok":{}}"#),
    ("e\u{301} n\u{303} a\u{30a} replay Z\u{335}\u{321}a\u{336}l\u{337}g\u{338}o", false, false, r#"{"ok":{}}"#),
    ("<?php function question($molecule) { echo \"garlic honor coffee\"; return $molecule + 5659; } ?>", false, false, r#"{"ok":{}}"#),
    ("Intro <a><b>complex</b><b>doctor<c/></b>text tail</a><a>mango started</a> outro", true, true, r#"{"ok":{"a":[{"b":[{"text":"complex"},{"text":"doctor","c":[{}]}]},{"text":"mango started"}]}}"#),
    ("tiger ٣٤٥ ۱۲ ௫ ² ½ Ⅻ １２３ work 2024", false, false, r#"{"ok":{}}"#),
    ("time clever ™ 😀𝔘𝔫𝔦𝔠𝔬𝔡𝔢 autumn replay", false, false, r#"{"ok":{}}"#),
    ("{\"portable\": [1, 2, {\"nested\": null}], \"s\": \"browser mislead\", \"f\": 0.5}", false, false, r#"{"ok":{}}"#),
    ("classes purple\npainting constant purple\r\nhonor\rdarkness invalid\n\n", false, false, r#"{"ok":{}}"#),
    ("привет semantic 回答 café شكرا 안녕하세요 모델 नमस\u{94d}त\u{947}", false, false, r#"{"ok":{}}"#),
    ("mirror jumping 👩\u{200d}💻 ✅🇮🇷 disconnect plum", false, false, r#"{"ok":{}}"#),
    ("모델 photon 42 مرحبا \u{200f}translate\u{200e}", false, false, r#"{"ok":{}}"#),
    ("He said \"wisdom accent\" and 'session' — “peach tiger” ‘velocity’ `theater` it's", false, false, r#"{"ok":{}}"#),
    ("<section>\n  <title>portable work</title>\n  theater packet painting portable\n</section>", true, true, r#"{"ok":{"section":[{"title":[{"text":"portable work"}]}]}}"#),
    ("<a><b>anchor</a></b>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("résumé ответ résumé नमस\u{94d}त\u{947} μοντέλο 你好 สว\u{e31}สด\u{e35} honor", false, false, r#"{"ok":{}}"#),
    ("<item id=\"59\" kind='x'>session sunset</item><br/><empty></empty>", true, true, r#"{"ok":{"item":[{"text":"session sunset"}],"br":[{}],"empty":[{}]}}"#),
    ("melody مرحبا ひらがな پرسش 모델", false, false, r#"{"ok":{}}"#),
    ("Painting mislead checkpoint anchor station river entropy sentence mirror classes passive sentence?", false, false, r#"{"ok":{}}"#),
    ("Elephant boxes transport gentle parser squirrel writer translate year shovel overflow dark chapter rocket?", false, false, r#"{"ok":{}}"#),
    ("Session window passive case browser function carrot time painting vector woman dancer tensor entropy?", false, false, r#"{"ok":{}}"#),
    ("He said \"boxes window\" and 'garlic' — “station plum” ‘replay’ `unusual` it's", false, false, r#"{"ok":{}}"#),
    ("see https://example.org/painted?b=1&c=%20#frag and mailto:index@example.com http://x.y/", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("Number submarine transport sunset elephant velocity portable reference dark undone friction photon agreement accent!", false, false, r#"{"ok":{}}"#),
    ("He said \"translate transport\" and 'baker' — “river function” ‘otter’ `theater` it's", false, false, r#"{"ok":{}}"#),
    ("<p>tunnel constant &amp; &lt;tag&gt; &#169; &#x1F600;</p>", true, true, r#"{"ok":{"p":[{"text":"tunnel constant & <tag> \u00a9 \ud83d\ude00"}]}}"#),
    ("\n    \n", false, false, r#"{"ok":{}}"#),
    ("<!DOCTYPE x [<!ENTITY e \"darkness\">]><x>&e;</x>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("walnut\tTab\u{0}nul\u{1}soh\u{1b}[31mred\u{1b}[0m\u{7f}del\u{8}bs\u{c}ff\u{1f}us partition", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("cashew carrot 𝄞 🌍🏳\u{fe0f}\u{200d}🌈 tensor crimson", false, false, r#"{"ok":{}}"#),
    ("mint slowly ✅ 🦀𝄞 comet submarine", false, false, r#"{"ok":{}}"#),
    ("کتاب مرحبا 你好 สว\u{e31}สด\u{e35} lightning ひらがな สว\u{e31}สด\u{e35}", false, false, r#"{"ok":{}}"#),
    ("use {mirror} braces {{double}} and {0} {prompt[message]} tiger", false, false, r#"{"ok":{}}"#),
    ("ответ molecule smörgåsbord 記憶 สว\u{e31}สด\u{e35}", false, false, r#"{"ok":{}}"#),
    ("C:\\Users\\transport\\file.txt and regex \\d+\\s* and a literal \\n and \\\\ end\\", false, false, r#"{"ok":{}}"#),
    ("สว\u{e31}สด\u{e35} γειά สว\u{e31}สด\u{e35} नमस\u{94d}त\u{947} autumn پرسش", false, false, r#"{"ok":{}}"#),
    ("prepare\u{2028}question\u{2029}packet\u{85}shovel\u{a0}anchor\u{200b}dangerous\u{feff}time", false, false, r#"{"ok":{}}"#),
    ("Turtle shovel session mango grape unusual ocean", false, false, r#"{"ok":{}}"#),
    ("semantic island 𝄞 👍🏽🏳\u{fe0f}\u{200d}🌈 model grammar", false, false, r#"{"ok":{}}"#),
    ("museum writer 🇮🇷 🦀🔥 complex mirror", false, false, r#"{"ok":{}}"#),
    ("<note><to>turtle</to><body>purple humor closure</body></note>", true, true, r#"{"ok":{"note":[{"to":[{"text":"turtle"}],"body":[{"text":"purple humor closure"}]}]}}"#),
    ("He said \"invalid grammar\" and 'problem' — “grace unusual” ‘nation’ `mislead` it's", false, false, r#"{"ok":{}}"#),
    // Rendered texts of the fixture prompts with `<` or `&` (rendered by memor 1.4).
    ("<note><to>tensor</to><body>schema archive entropy</body></note> / unknown", true, true, r#"{"ok":{"note":[{"to":[{"text":"tensor"}],"body":[{"text":"schema archive entropy"}]}]}}"#),
    ("<note><to>case</to><body>buffer autumn time</body></note> <overflow>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<!DOCTYPE x [<!ENTITY e \"transport\">]><x>&e;</x>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<item id=\"69\" kind='x'>nation lantern</item><br/><empty></empty>", true, true, r#"{"ok":{"item":[{"text":"nation lantern"}],"br":[{}],"empty":[{}]}}"#),
    ("[{'type': 'Response', 'message': 'Parser invalid elephant theater misread grace penguin', 'warnings': {}, 'score': None, 'temperature': 0.0, 'top_k': 9223372036854775807, 'tokens': 1237, 'inference_time': 0.9386923838917, 'top_p': 5e-324, 'role': 'assistant', 'model': 'unknown', 'gpu': None, 'seed': 3052, 'id': '36a63d53-8907-4782-a1ce-5928e2f3269d', 'memor_version': '1.4', 'date_created': '2023-03-24 09:34:47 +0000', 'date_modified': '2023-12-30 07:02:30 -0800', 'finish_reason': 'unknown'}, {'type': 'Response', 'message': '<note><to>melody</to><body>grammar session invalid</body></note>', 'warnings': {}, 'score': 0.9999999999999999, 'temperature': 0.1, 'top_k': 100000000000000000000, 'tokens': None, 'inference_time': 1e-05, 'top_p': 1e-05, 'role': 'system', 'model': 'grok-3-mini', 'gpu': None, 'seed': 4591, 'id': '553ef8e4-323c-41fe-81ea-a80becaf5260', 'memor_version': '1.4', 'date_created': '2022-07-07 08:09:23 -0800', 'date_modified': '2022-09-15 16:39:27 -0030', 'finish_reason': 'content_filter'}, {'type': 'Response', 'message': 'Invalid problem window walnut winter parser elephant coffee tunnel', 'warnings': {}, 'score': None, 'temperature': 0.30000000000000004, 'top_k': None, 'tokens': 7, 'inference_time': 0, 'top_p': 0.0, 'role': 'assistant', 'model': 'deepseek-vl-1.3b-chat', 'gpu': None, 'seed': 2144, 'id': 'd47b931a-22dd-4ab8-8ff6-697e32621ed1', 'memor_version': '1.4', 'date_created': '2025-01-20 04:19:57 +0000', 'date_modified': '2025-03-06 08:17:31 -0800', 'finish_reason': None}] / ", true, true, r#"{"ok":{"note":[{"to":[{"text":"melody"}],"body":[{"text":"grammar session invalid"}]}]}}"#),
    ("'<p>replay&nbsp;honor</p>' / '<note><to>overflow</to><body>museum banana ocean</body></note>'", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    // The pattern alone: `\w` and `\s` are Python's, `.` never needed, the name must start with `[a-zA-Z_]`.
    ("2 < 3 > 1", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("a<b>c", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<b c=\"1\"", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<b\n", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<b c> d", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<b\nc> d", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<b\tc=\">\"", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<b x<y>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<br/>", true, true, r#"{"ok":{"br":[{}]}}"#),
    ("<br/ >", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<br x/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<b/x>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<_a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<1a>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<éa>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<aé>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a²>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<aⅫ>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{301}>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{94d}>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a·>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a‿>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a-.>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a:b>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{3000}x>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{2028}>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{1c}>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{85}>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{a0}y>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{200b}>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{feff}>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a😀>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<а>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<aа>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("</a>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a/", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    // Well-formedness as expat 2.5 sees it, and the tree ElementTree builds.
    ("<a>x<!--c-->y<?pi z?>w</a>", true, true, r#"{"ok":{"a":[{"text":"xyw"}]}}"#),
    ("<a>  x <![CDATA[ <&> ]]> y  <b/>tail</a>", true, true, r#"{"ok":{"a":[{"text":"x  <&>  y","b":[{}]}]}}"#),
    ("<a>hi<text>x</text></a>", true, true, r#"{"error":{"class":"AttributeError","message":"'str' object has no attribute 'append'"}}"#),
    ("<a><text>x</text><text/></a>", true, true, r#"{"ok":{"a":[{"text":[{"text":"x"},{}]}]}}"#),
    ("<a><b/>hi<text/></a>", true, true, r#"{"ok":{"a":[{"b":[{}],"text":[{}]}]}}"#),
    ("<text>top</text><text/>", true, true, r#"{"ok":{"text":[{"text":"top"},{}]}}"#),
    ("<a>\r\n x \r y\r</a>", true, true, r#"{"ok":{"a":[{"text":"x \n y"}]}}"#),
    ("<a>x\r&amp;y</a>", true, true, r#"{"ok":{"a":[{"text":"x\n&y"}]}}"#),
    ("<a>x\r&#13;y</a>", true, true, r#"{"ok":{"a":[{"text":"x\n\ry"}]}}"#),
    ("<a>&#9;&#10;&#13; &#x20;</a>", true, true, r#"{"ok":{"a":[{}]}}"#),
    ("<a>\u{3000}\u{2028}x\u{a0}\u{85}</a>", true, true, r#"{"ok":{"a":[{"text":"x"}]}}"#),
    ("<a>\u{1c}x\u{1f}</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>\u{200b}x\u{feff}</a>", true, true, r#"{"ok":{"a":[{"text":"\u200bx\ufeff"}]}}"#),
    ("<a>&amp;&lt;&gt;&quot;&apos;&#169;&#x1F600;&#x10FFFF;</a>", true, true, r#"{"ok":{"a":[{"text":"&<>\"'\u00a9\ud83d\ude00\udbff\udfff"}]}}"#),
    ("<a>&AMP;</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>&nbsp;</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>& b</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>&amp</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>&#X41;</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>&#x;</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>&#xD800;</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>&#xFFFE;</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>&#x110000;</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>&#0;</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>&#x1FFFE;</a>", true, true, r#"{"ok":{"a":[{"text":"\ud83f\udffe"}]}}"#),
    ("<a>\u{0}</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>\u{7f}\u{9f}</a>", true, true, r#"{"ok":{"a":[{"text":"\u007f\u009f"}]}}"#),
    ("<a>\u{fffe}</a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>\u{fdd0}</a>", true, true, r#"{"ok":{"a":[{"text":"\ufdd0"}]}}"#),
    ("<a>]]></a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>]]</a>", true, true, r#"{"ok":{"a":[{"text":"]]"}]}}"#),
    ("<a><![CDATA[]]]]></a>", true, true, r#"{"ok":{"a":[{"text":"]]"}]}}"#),
    ("<a><![CDATA[x]]]></a>", true, true, r#"{"ok":{"a":[{"text":"x]"}]}}"#),
    ("<![CDATA[top]]>", false, false, r#"{"ok":{}}"#),
    ("<!---->", false, false, r#"{"ok":{}}"#),
    ("<!-- a - b -->", false, false, r#"{"ok":{}}"#),
    ("<!-- a -- b -->", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<!-- a --->", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<!--->-->", false, false, r#"{"ok":{}}"#),
    ("<!DOCTYPE a>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<?pi?>", false, false, r#"{"ok":{}}"#),
    ("<?pi?x?>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<?pi!x?>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<?p:i x?>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<?xml version=\"1.0\"?>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<?XmL x?>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<?xml-stylesheet href=\"a\"?>", false, false, r#"{"ok":{}}"#),
    ("<?xm?>", false, false, r#"{"ok":{}}"#),
    ("<a b=\"1\"c=\"2\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a b=1/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a b=\"1\" b=\"2\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a b=\"<\"/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a b=\">\"/>", true, true, r#"{"ok":{"a":[{}]}}"#),
    ("<a b=\"&foo;\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a b=\"&#1;\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a/ >", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>x</a >", true, true, r#"{"ok":{"a":[{"text":"x"}]}}"#),
    ("<a>x</ a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>x</a\n>", true, true, r#"{"ok":{"a":[{"text":"x"}]}}"#),
    ("<a><b></a></b>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("</root><root>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("</root><!--", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<1a/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<:a/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a:/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a:b:c/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<é/>", false, false, r#"{"ok":{"\u00e9":[{}]}}"#),
    ("<aé/>", true, true, r#"{"ok":{"a\u00e9":[{}]}}"#),
    ("<a😀/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a\u{301}/>", false, false, r#"{"ok":{"a\u0301":[{}]}}"#),
    ("<·a/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a·/>", false, false, r#"{"ok":{"a\u00b7":[{}]}}"#),
    ("<가/>", false, false, r#"{"ok":{"\uac00":[{}]}}"#),
    ("<ǅ/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<p:a xmlns:p=\"u\"><p:b/><c/></p:a>", true, true, r#"{"ok":{"{u}a":[{"{u}b":[{}],"c":[{}]}]}}"#),
    ("<a xmlns=\"u\"><b xmlns=\"\"><c/></b></a>", true, true, r#"{"ok":{"{u}a":[{"b":[{"c":[{}]}]}]}}"#),
    ("<p:a/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a p:x=\"1\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<xml:a/>", false, false, r#"{"ok":{"{http://www.w3.org/XML/1998/namespace}a":[{}]}}"#),
    ("<xmlns:a/>", false, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns:p=\"\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns:xmlns=\"u\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>", true, true, r#"{"ok":{"a":[{}]}}"#),
    ("<a xmlns:xml=\"u\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns=\"http://www.w3.org/2000/xmlns/\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns=\"a}b\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns=\"a&#x7D;b\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns=\"x&#10;y\r\nz\tw\" xmlns:b=\"&lt;&amp;\"><b:c/></a>", true, true, r#"{"ok":{"{x\ny z w}a":[{"{<&}c":[{}]}]}}"#),
    ("<a xmlns=\"u\" xmlns=\"v\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns:x=\"u\" xmlns:y=\"u\" x:c=\"1\" y:c=\"2\"/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns:x=\"u\" x:c=\"1\" c=\"2\"/>", true, true, r#"{"ok":{"a":[{}]}}"#),
    ("<a xmlns:p=\"u\"></a><p:b/>", true, false, r#"{"error":{"class":"MemorValidationError","message":"Invalid XML tree structure."}}"#),
    ("<a xmlns=\"http://www.w3.org/1999/xhtml\"/>", true, true, r#"{"ok":{"{http://www.w3.org/1999/xhtml}a":[{}]}}"#),
];

/// `(tree, message after update_message_from_xml(tree))` as memor 1.4 computed them; `None`
/// where memor raised `MemorValidationError("Invalid XML tree structure.")`.
#[rustfmt::skip]
const BUILD_PROBES: &[(&str, Option<&str>)] = &[
    (r#"{"note":[{"text":"problem","to":[{"text":"child"}],"body":[{"text":"a < b & c"}]}]}"#, Some("<note>problem<to>child</to><body>a &lt; b &amp; c</body></note>")),
    (r#"{"a":[{"text":"museum"},{"b":[{}]}],"c":[{"text":"1"}]}"#, Some("<a>museum</a><a><b /></a><c>1</c>")),
    (r#"{"a":"not a list"}"#, None),
    ("5", None),
    ("[]", None),
    ("null", None),
    (r#""x""#, None),
    ("{}", Some("")),
    (r#"{"a":[]}"#, Some("")),
    (r#"{"a":""}"#, Some("")),
    (r#"{"a":{}}"#, Some("")),
    (r#"{"a":{"k":[]}}"#, None),
    (r#"{"a":null}"#, None),
    (r#"{"a":0}"#, None),
    (r#"{"a":true}"#, None),
    (r#"{"a":[null]}"#, None),
    (r#"{"a":[[]]}"#, None),
    (r#"{"a":["x"]}"#, None),
    (r#"{"a":[5]}"#, None),
    (r#"{"a":[{"text":""}]}"#, Some("<a />")),
    (r#"{"a":[{"text":0}]}"#, Some("<a />")),
    (r#"{"a":[{"text":0.0}]}"#, Some("<a />")),
    (r#"{"a":[{"text":false}]}"#, Some("<a />")),
    (r#"{"a":[{"text":null}]}"#, Some("<a />")),
    (r#"{"a":[{"text":[]}]}"#, Some("<a />")),
    (r#"{"a":[{"text":{}}]}"#, Some("<a />")),
    (r#"{"a":[{"text":1}]}"#, None),
    (r#"{"a":[{"text":true}]}"#, None),
    (r#"{"a":[{"text":["x"]}]}"#, None),
    (r#"{"a":[{"text":{"x":1}}]}"#, None),
    (r#"{"a":[{"text":" a&b<c>d\"e'f\r\n\t\u0000 "}]}"#, Some("<a> a&amp;b&lt;c&gt;d\"e'f\r\n\t\u{0} </a>")),
    (r#"{"text":[{"text":"top-level text tag"}]}"#, Some("<text>top-level text tag</text>")),
    (r#"{"a":[{"text":"x","text2":[{}]}]}"#, Some("<a>x<text2 /></a>")),
    (r#"{"a":[{"b":[{"c":[{}]}],"text":"after children in the dict"}]}"#, Some("<a>after children in the dict<b><c /></b></a>")),
    (r#"{"{u}a":[{"{u}b":[{}],"{v}c":[{}]}],"{v}d":[{}]}"#, Some("<ns0:a xmlns:ns0=\"u\" xmlns:ns1=\"v\"><ns0:b /><ns1:c /></ns0:a><ns0:d xmlns:ns0=\"v\" />")),
    (r#"{"{http://www.w3.org/XML/1998/namespace}lang":[{}],"{http://www.w3.org/1999/xhtml}p":[{"{http://purl.org/dc/elements/1.1/}t":[{}],"{u}x":[{}]}]}"#, Some("<xml:lang /><html:p xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:html=\"http://www.w3.org/1999/xhtml\" xmlns:ns2=\"u\"><dc:t /><ns2:x /></html:p>")),
    (r#"{"{":[{}]}"#, None),
    (r#"{"{}":[{}]}"#, Some("<ns0: xmlns:ns0=\"\" />")),
    (r#"{"{}x":[{}]}"#, Some("<ns0:x xmlns:ns0=\"\" />")),
    (r#"{"{u}":[{}]}"#, Some("<ns0: xmlns:ns0=\"u\" />")),
    (r#"{"{a}b}c":[{}]}"#, Some("<ns0:c xmlns:ns0=\"a}b\" />")),
    (r#"{"}x":[{}]}"#, Some("<}x />")),
    (r#"{"x{u}y":[{}]}"#, Some("<x{u}y />")),
    (r#"{"{a&\"<>\r\n\t}x":[{}]}"#, Some("<ns0:x xmlns:ns0=\"a&amp;&quot;&lt;&gt;&#13;&#10;&#09;\" />")),
    (r#"{"":[{}]}"#, Some("< />")),
    (r#"{"a b":[{"text":"t"}]}"#, Some("<a b>t</a b>")),
    (r#"{"a&b":[{}]}"#, Some("<a&b />")),
    (r#"{"<x>":[{}]}"#, Some("<<x> />")),
    (r#"{"\u00e9\ud83d\ude00":[{"text":"\u00e9\ud83d\ude00"}]}"#, Some("<é😀>é😀</é😀>")),
    (r#"{"a":[{"b":"bad"}],"c":[{}]}"#, None),
];

fn conformance_dir() -> PathBuf {
    std::env::var_os("MEMOR_CONFORMANCE")
        .map_or_else(
            || {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../../shared/conformance"
                ))
            },
            PathBuf::from,
        )
        .join("memor")
}

/// An outcome in the fixtures' encoding, without the informative `cause`.
fn outcome<T: Into<Value>>(result: Result<T, memor_core::xml::XmlError>) -> Value {
    match result {
        Ok(value) => json!({ "ok": value.into() }),
        Err(e) => json!({ "error": { "class": e.python_class(), "message": e.message() } }),
    }
}

fn without_cause(outcome: &Value) -> Value {
    let mut outcome = outcome.clone();
    if let Some(error) = outcome.get_mut("error").and_then(Value::as_object_mut) {
        error.remove("cause");
    }
    outcome
}

/// Equality that respects key order (memor's dicts are ordered; `Map`'s `==` is not).
fn same(a: &Value, b: &Value) -> bool {
    serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            if self.failed <= 20 {
                eprintln!("MISMATCH {}", what());
            }
        }
    }
}

#[test]
fn probes() {
    assert!(PROBES.len() >= 40);
    let mut tally = Tally::default();
    for &(text, pattern, verify, tree) in PROBES {
        let expected: Value = serde_json::from_str(tree).unwrap();
        let got = outcome(xml_tree(text));
        tally.check(contains_xml(text, false) == pattern, || {
            format!("contains_xml({text:?}) should be {pattern}")
        });
        tally.check(matches_xml_pattern(text) == pattern, || {
            format!("matches_xml_pattern({text:?}) should be {pattern}")
        });
        tally.check(contains_xml(text, true) == verify, || {
            format!("contains_xml({text:?}, verify) should be {verify}")
        });
        tally.check(same(&got, &expected), || {
            format!("xml_tree({text:?}) is {got}, expected {expected}")
        });
        // Python parses before folding: only a parse failure is `MemorValidationError`.
        let parses = expected["error"]["class"] != "MemorValidationError";
        tally.check(check_well_formed(text).is_ok() == parses, || {
            format!("check_well_formed({text:?}) should be {parses}")
        });
        if verify {
            tally.check(pattern && parses, || {
                format!("verify implies both for {text:?}")
            });
        }
    }
    println!(
        "xml probes: {} passed, {} failed",
        tally.passed, tally.failed
    );
    assert_eq!(tally.failed, 0);
}

#[test]
fn build_probes() {
    let mut tally = Tally::default();
    for &(tree, expected) in BUILD_PROBES {
        let tree: Value = serde_json::from_str(tree).unwrap();
        let got = build_xml_string(&tree);
        tally.check(got.as_deref().ok() == expected, || {
            format!("build_xml_string({tree}) is {got:?}, expected {expected:?}")
        });
        if let Err(e) = &got {
            tally.check(e.kind() == XmlErrorKind::InvalidTree, || format!("{e:?}"));
            tally.check(e.to_string() == INVALID_XML_TREE_MESSAGE, || format!("{e}"));
            tally.check(e.python_class() == "MemorValidationError", || {
                format!("{e:?}")
            });
            tally.check(!e.detail().is_empty(), || format!("{e:?}"));
        }
    }
    println!(
        "xml build probes: {} passed, {} failed",
        tally.passed, tally.failed
    );
    assert_eq!(tally.failed, 0);
}

/// Numbers as Python's `json` reads them: falsy zeros, truthy anything else (an error as text).
/// `1e400` only parses with serde_json's `arbitrary_precision` (Python reads it as `inf`).
#[test]
fn number_texts() {
    let tree = |number: &str| -> Option<Value> {
        serde_json::from_str(&format!(r#"{{"a": [{{"text": {number}}}]}}"#)).ok()
    };
    for zero in ["0", "-0", "0.0", "-0.0", "0e7", "1e-400"] {
        let tree = tree(zero).unwrap();
        assert_eq!(build_xml_string(&tree).unwrap(), "<a />", "{zero}");
    }
    for truthy in ["1", "-1", "0.5", "1e400", "100000000000000000000000000"] {
        if let Some(tree) = tree(truthy) {
            assert!(build_xml_string(&tree).is_err(), "{truthy}");
        }
    }
}

fn nested(open: &str, close: &str, depth: usize) -> String {
    format!("{}{}", open.repeat(depth), close.repeat(depth))
}

/// Python (memor called from a function at a script's top level, recursion limit 1000):
/// `xml_tree` folds 996 nested elements and raises `RecursionError` at 997; the error met first
/// in Python's depth-first order wins; expat itself has no depth limit;
/// `update_message_from_xml` serializes 991 levels and fails at 992.
#[test]
fn deep_nesting() {
    let ok = xml_tree(&nested("<a>", "</a>", MAX_TREE_DEPTH)).unwrap();
    let mut node = &ok;
    for _ in 0..MAX_TREE_DEPTH {
        node = &node["a"][0];
    }
    assert_eq!(node, &json!({}));
    let too_deep = xml_tree(&nested("<a>", "</a>", MAX_TREE_DEPTH + 1)).unwrap_err();
    assert_eq!(too_deep.kind(), XmlErrorKind::TooDeep);
    assert_eq!(too_deep.python_class(), "RecursionError");
    assert_eq!(too_deep.to_string(), "maximum recursion depth exceeded");

    let deep = nested("<b>", "</b>", 1000);
    let first = xml_tree(&format!("<a>hi<text/></a>{deep}")).unwrap_err();
    assert_eq!(first.python_class(), "AttributeError");
    assert_eq!(first.to_string(), "'str' object has no attribute 'append'");
    let first = xml_tree(&format!("{deep}<a>hi<text/></a>")).unwrap_err();
    assert_eq!(first.python_class(), "RecursionError");
    let first = xml_tree(&format!("<a>hi<text>{deep}</text></a>")).unwrap_err();
    assert_eq!(first.python_class(), "RecursionError");

    // Far deeper than any stack: iterative everywhere.
    let huge = nested("<a>", "</a>", 100_000);
    assert!(contains_xml(&huge, true));
    assert!(!contains_xml(&huge[..huge.len() - 4], true));
    assert_eq!(xml_tree(&huge).unwrap_err().kind(), XmlErrorKind::TooDeep);
    let junk = xml_tree(&format!("{huge}<a>x</a></a>")).unwrap_err();
    assert_eq!(junk.kind(), XmlErrorKind::Malformed);
    assert_eq!(junk.python_class(), "MemorValidationError");

    // (`json!` would serialize the interpolated tree recursively.)
    let wrap = |tree: Value| {
        Value::Object(
            [("a".to_owned(), Value::Array(vec![tree]))]
                .into_iter()
                .collect(),
        )
    };
    let mut tree = json!({});
    for _ in 0..MAX_BUILD_DEPTH {
        tree = wrap(tree);
    }
    let expected = format!(
        "{}<a />{}",
        "<a>".repeat(MAX_BUILD_DEPTH - 1),
        "</a>".repeat(MAX_BUILD_DEPTH - 1)
    );
    assert_eq!(build_xml_string(&tree).unwrap(), expected);
    let tree = wrap(tree);
    assert_eq!(
        build_xml_string(&tree).unwrap_err().kind(),
        XmlErrorKind::InvalidTree
    );
}

/// No input makes the functions panic: every prefix of every probe text.
#[test]
fn truncated_probes_do_not_panic() {
    for &(text, ..) in PROBES.iter().filter(|p| p.0.len() < 300) {
        for (end, _) in text.char_indices().skip(1) {
            let part = &text[..end];
            let _ = contains_xml(part, true);
            let _ = xml_tree(part);
            let _ = check_well_formed(&text[end..]);
        }
    }
}

#[test]
fn conformance_fixtures() {
    let dir = conformance_dir();
    let cases = std::fs::read_to_string(dir.join("cases.jsonl"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("cases.jsonl").display()));
    let mut tally = Tally::default();
    let mut responses = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        if case["kind"] != "Response" || case["load"] != json!({ "ok": true }) {
            continue;
        }
        let file = case["file"].as_str().unwrap();
        let object: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let Some(message) = object["message"].as_str() else {
            continue;
        };
        responses += 1;
        for (key, verify) in [("contains_xml", false), ("contains_xml_verify", true)] {
            let expected = without_cause(&case[key]);
            let got = json!({ "ok": contains_xml(message, verify) });
            tally.check(same(&got, &expected), || {
                format!("{file} {key}: {got} vs {expected}")
            });
        }
        let expected = without_cause(&case["xml_tree"]);
        let got = outcome(xml_tree(message));
        tally.check(same(&got, &expected), || {
            format!("{file} xml_tree: {got} vs {expected}")
        });
    }
    assert!(responses > 0, "no Response in {}", dir.display());

    // operations.jsonl: follow the message through the ops this module can compute.
    let operations = std::fs::read_to_string(dir.join("operations.jsonl")).unwrap();
    let mut xml_ops = 0;
    for line in operations.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let kind = case["kind"].as_str().unwrap_or("");
        if kind != "Response" && kind != "Prompt" {
            continue;
        }
        let Some(file) = case["initial"].as_str() else {
            continue;
        };
        let object: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let mut message = object["message"].as_str().map(str::to_owned);
        let ops = case["ops"].as_array().unwrap();
        let results = case["results"].as_array().unwrap();
        for (op, result) in ops.iter().zip(results) {
            let expected = without_cause(result);
            let name = op["op"].as_str().unwrap_or("");
            let args = op["args"].as_array().cloned().unwrap_or_default();
            let arg = args.first().cloned().unwrap_or(Value::Null);
            match (name, arg.as_str()) {
                ("update_message_from_xml", _) => {
                    xml_ops += 1;
                    let built = build_xml_string(&arg);
                    let got = outcome(built.as_ref().map(|_| Value::Null).map_err(Clone::clone));
                    tally.check(same(&got, &expected), || {
                        format!("{file} update_message_from_xml({arg}): {got} vs {expected}")
                    });
                    if let Ok(text) = built {
                        message = Some(text);
                    }
                }
                ("get", Some("message")) => {
                    if let Some(text) = &message {
                        let got = json!({ "ok": text });
                        tally.check(same(&got, &expected), || {
                            format!("{file} message: {got} vs {expected}")
                        });
                    }
                }
                // A Response renders as its message; a Prompt needs its template.
                ("get", Some("xml_tree")) if kind == "Response" => {
                    if let Some(text) = &message {
                        xml_ops += 1;
                        let got = outcome(xml_tree(text));
                        tally.check(same(&got, &expected), || {
                            format!("{file} xml_tree: {got} vs {expected}")
                        });
                    }
                }
                ("contains_xml", _) if kind == "Response" => {
                    if let Some(text) = &message {
                        xml_ops += 1;
                        let got = json!({ "ok": contains_xml(text, arg == json!(true)) });
                        tally.check(same(&got, &expected), || {
                            format!("{file} contains_xml({arg}): {got} vs {expected}")
                        });
                    }
                }
                ("get" | "contains_xml" | "copy" | "eq" | "len" | "contains", _) => {}
                ("update_message", Some(text)) if expected.get("ok").is_some() => {
                    message = Some(text.to_owned());
                }
                _ => message = None,
            }
        }
    }
    assert!(xml_ops > 0, "no XML operation in operations.jsonl");
    println!("xml: {} passed, {} failed", tally.passed, tally.failed);
    assert_eq!(tally.failed, 0);
}

/// A differential run against memor on a JSON-lines file named by `MEMOR_XML_DIFF`, each line
/// either `{"text", "contains_xml", "contains_xml_verify", "xml_tree"}` (memor's results for
/// `Response(message=text)`, outcomes as in the fixtures) or `{"tree", "result"}` (the outcome
/// of `update_message_from_xml(tree)` then `message`). Used while writing this module with a few
/// hundred thousand generated texts and trees.
#[test]
#[ignore = "needs a file of memor results in MEMOR_XML_DIFF"]
fn differential() {
    let path = std::env::var("MEMOR_XML_DIFF").expect("MEMOR_XML_DIFF");
    let mut tally = Tally::default();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        if let Some(text) = case.get("text").and_then(Value::as_str) {
            let got = json!({
                "text": text,
                "contains_xml": contains_xml(text, false),
                "contains_xml_verify": contains_xml(text, true),
                "xml_tree": outcome(xml_tree(text)),
            });
            tally.check(same(&got, &case), || {
                format!("\n  memor: {case}\n  rust:  {got}")
            });
        } else {
            let tree = &case["tree"];
            let got = json!({ "tree": tree, "result": outcome(build_xml_string(tree)) });
            tally.check(same(&got, &case), || {
                format!("\n  memor: {case}\n  rust:  {got}")
            });
        }
    }
    println!(
        "xml differential: {} passed, {} failed",
        tally.passed, tally.failed
    );
    assert_eq!(tally.failed, 0);
}
