"""Polarity, negation and intent cues of a normalised text, as pseudo-tokens.

Character and word n-grams tell the topic ("态度", "抢修") but not which way it
goes: "态度很差" and "态度很好" share most of their n-grams, and "没有不满意" contains
"不满意". This module reads the text once with a small lexicon (longest match first)
and emits tokens the featuriser turns into a separate block:

- ``P`` / ``N``: a positive / negative evaluative word ("耐心", "恶劣");
- ``NP`` / ``NN``: the same words inside a negation's scope ("不及时" → NP,
  "没有不满意" → NN): a negator ("不", "没有", "并不", "从不" …) governs the next
  evaluative or intent word of its clause within a few characters; two negators in a
  row cancel ("不是不");
- ``NI:<intent>``: a negated intent word ("不是投诉", "没有投诉的意思"; intents: 投诉,
  咨询, 建议, 举报, 表扬 …) — the plain words are n-grams already;
- ``E`` / ``NE``: a bad event ("停电", "跳闸", "又坏") / the same negated ("没停过电");
- ``Q+``: a positive word in quotation marks (“好”, “及时”) — scare quotes;
  ``IRONY``: an irony frame ("可真", "呵呵", "好一个") or scare quotes in a text that
  also has negative content or a bad event; ``MIXED``: positive and negative cues in one text;
- each of P/N/NP/NN also as ``P:<word>`` etc., so the model can weigh words.

The lexicon is deliberately small and general (service vocabulary, not phrases of
any corpus); what a cue means for a label is learnt by the heads.
"""

from __future__ import annotations

import hashlib
import json
import re

# Evaluative words. Multi-character entries win over their parts (longest match), so
# "不满意" is one negative word, not "不" + "满意", and "不错" is positive.
POSITIVE = (
    "好 很好 挺好 真好 不错 满意 热情 热心 耐心 周到 及时 专业 负责 尽责 客气 礼貌 和气 和蔼 "
    "细心 仔细 认真 贴心 暖心 靠谱 给力 方便 顺利 快 迅速 准时 准确 清楚 明白 到位 利索 熟练 "
    "感谢 谢谢 多谢 点赞 表扬 好评 辛苦 优秀 棒 赞 省心 放心 满分 高效 守信 规范 "
    "没得说 没话说 无可挑剔 挑不出毛病 挺好用 好用 稳定 稳 温柔 友善 体贴 极好 合理 果断 守时 "
    "踏实 可靠 管用 高兴 开心 暖心 舒心 感人 感动 了不起"
).split()
NEGATIVE = (
    "差 很差 太差 差劲 极差 恶劣 冷漠 冷淡 蛮横 粗鲁 粗暴 敷衍 推诿 推脱 推卸 踢皮球 扯皮 "
    "不耐烦 不满 不满意 不像话 不靠谱 不作为 爱答不理 爱理不理 难听 冲 凶 吼 骂 慢 拖 拖拉 拖沓 "
    "马虎 糟糕 失望 生气 气人 气死 窝火 窝囊 难用 麻烦 坑 坑人 垃圾 差评 离谱 傲慢 生硬 油滑 "
    "毛病 错 乱 烂 破 闪退 卡顿 忙音 打不通 放鸽子 白跑 折腾 刁难 威胁 甩脸 冷脸 嫌弃 "
    "不到位 不行 没用 失职 寒心 无语 过分 受不了 忍无可忍 业余 有意见 莫名其妙 放我鸽子 不合理 "
    "欺负 糊弄 耍赖 赖账 黑心 霸道 官僚 推三阻四"
).split()
# Evaluative-looking strings that are not evaluations ("你好", "出差", "快来修").
NEUTRAL = (
    "你好 您好 好的 好吗 好不好 好几 好多 好久 好像 只好 最好 修好 弄好 办好 装好 接好 换好 "
    "好了没 还好 好在 问好 出差 差不多 差点 偏差 误差 差额 差价 时差 尽快 快点 快来 赶快 "
    "快递 快要 快到 加快 慢慢 准备 标准 批准 准许 错峰 错开 冲突 冲击 乱码 拖欠 拖车 "
    "破损 破裂 麻烦你 麻烦您 麻烦你们 麻烦帮 麻烦派 麻烦尽快 麻烦给 谢谢配合 请稳 "
    "不好意思 好意思 不好说 说不好 特别 别人 区别 分别 别的 个别 级别 类别 好大 好长 好高 好些 无法 没意见 没有意见 没什么意见 "
    "谁负责 负责人 负责处理 不管 不知道 不清楚 不用 不要 不能 不了 不到 不会 不同 不在 不少 不再 不过 不然 没法 没事"
).split()
NEGATORS = (
    "不 没 没有 并不 并没 并没有 不是 并非 从不 从没 从来不 从来没 从未 毫不 毫无 一点也不 "
    "一点都不 一点也没 绝不 未 别 无 不太 不怎么 不算 不够 根本不 根本没 也不 也没"
).split()
INTENTS = {
    "complaint": "投诉 曝光 追责 追究 讨个说法 给个说法 要个说法 要求道歉 赔礼道歉 严肃处理 问责".split(),
    "consultation": "咨询 请问 想问 问一下 问问 问下 了解一下 想了解 想知道".split(),
    "suggestion": "建议 提个建议 提议 希望能 能不能 可不可以 最好能".split(),
    "report": "举报 检举 揭发 偷电 窃电 私拉 私接 索要 红包 好处费".split(),
    "praise": "表扬 感谢 锦旗 点赞 致谢 感激".split(),
}
# Bad events ("停电", "跳闸"); negated ("没停过电") they are good news: ``E`` / ``NE``.
EVENTS = (
    "停电 停了 停过 断电 断过 没电 黑灯 跳闸 跳过闸 欠费 冒火花 冒火星 冒烟 坏了 烧了 烧坏 漏电 "
    "又停 又坏 又跳 又涨 又断 又没 又来了 又是 还没 仍然 依然 老是 总是 三番五次 动不动"
).split()
IRONY_CUES = (
    "可真 真是 真行 真会 呵呵 厉害了 佩服 服了 恭喜 太感人 好一个 好极了 太棒了 太好了 "
    "真棒 真好 真贴心 真负责 真及时 谢谢你们啊 谢谢啊 多谢你们 感谢你们让 真够 够可以 创纪录 "
    "托你们的福 拜你们所赐 真有你们的 不愧是 长见识了 开眼界"
).split()
# "感谢/谢谢 … 让我们 …" within one clause: thanks for an imposition.
_THANKS_FOR = re.compile(r"(感谢|谢谢|多谢|恭喜)[^,.!?;，。！？；]{0,10}(让|害|逼)")
# Quotation marks as they survive normalisation (full-width ASCII forms become ASCII).
_QUOTED = re.compile(r"[“\"'‘「『]([^“”\"'‘’「」『』]{1,6})[”\"'’」』]")
_CLAUSE = re.compile(r"[,.!?;:，。！？；：、\s~…]+")
NEGATION_REACH = 4  # characters between a negator's end and the word it governs

_LEX: dict[str, str] = {}
for _w in NEUTRAL:
    _LEX[_w] = "neutral"
for _w in NEGATORS:
    _LEX[_w] = "negator"
for _intent, _words in INTENTS.items():
    for _w in _words:
        _LEX[_w] = f"intent:{_intent}"
for _w in EVENTS:
    _LEX[_w] = "event"
for _w in NEGATIVE:
    _LEX[_w] = "neg"
for _w in POSITIVE:
    _LEX[_w] = "pos"
_MAXLEN = max(map(len, _LEX))
# Stored with a fitted featuriser: the lexicon is code, so a model fitted with another
# lexicon would see different tokens (the featuriser logs a warning on a mismatch).
LEXICON_FINGERPRINT = hashlib.sha1(
    json.dumps([sorted(_LEX.items()), IRONY_CUES, NEGATION_REACH], ensure_ascii=False).encode()
).hexdigest()[:12]
_POS_SET = set(POSITIVE)


def _scan(clause: str) -> list[tuple[str, str, int, int]]:
    """(word, kind, start, end) of lexicon words in a clause, longest match first."""
    out = []
    i, n = 0, len(clause)
    while i < n:
        for size in range(min(_MAXLEN, n - i), 0, -1):
            word = clause[i : i + size]
            kind = _LEX.get(word)
            if kind is not None:
                out.append((word, kind, i, i + size))
                i += size
                break
        else:
            i += 1
    return out


NEGATED_POSITIVE_MARK = "⊖"  # "不及时" → "不⊖": what was praise-like now reads as a lack
NEGATED_NEGATIVE_MARK = "⊕"  # "没有不满意" → "没有⊕": the complaint word is cancelled


def mark_negation(norm: str) -> str:
    """The text with each evaluative word inside a negation's scope replaced by a mark.

    The n-grams of "敷衍" in "并没有敷衍我" would otherwise vote for a complaint; after
    marking, the char/word features see "并没有⊕我" (⊖ for a negated positive word).
    Everything else is kept character for character.
    """
    out: list[str] = []
    pos = 0
    for start, end, tag in _negated_spans(norm):
        out.append(norm[pos:start])
        out.append(NEGATED_NEGATIVE_MARK if tag == "NN" else NEGATED_POSITIVE_MARK)
        pos = end
    out.append(norm[pos:])
    return "".join(out)


def _negated_spans(norm: str) -> list[tuple[int, int, str]]:
    spans = []
    offset = 0
    for m in re.finditer(r"[^,.!?;:，。！？；：、\s~…]+", norm):
        clause, offset = m.group(), m.start()
        negated, neg_end = False, -1
        for _word, kind, start, end in _scan(clause):
            if kind == "neutral":
                continue
            in_scope = negated and start - neg_end <= NEGATION_REACH
            if kind == "negator":
                negated, neg_end = not in_scope, end
                continue
            if in_scope and kind in ("pos", "neg"):
                spans.append((offset + start, offset + end, "NP" if kind == "pos" else "NN"))
            negated = False
    return spans


def polarity_tokens(norm: str) -> list[str]:
    """Polarity / negation / intent pseudo-tokens of a normalised text (module docstring)."""
    tokens: list[str] = []
    for clause in _CLAUSE.split(norm):
        if not clause:
            continue
        negated, neg_end = False, -1
        for word, kind, start, end in _scan(clause):
            if kind == "neutral":
                continue
            in_scope = negated and start - neg_end <= NEGATION_REACH
            if kind == "negator":
                # "不是不…" / "没有不…": a second negator right after the first cancels it,
                # unless the second is the start of a negative word (handled above by the lexicon).
                negated = not in_scope
                neg_end = end
                continue
            if kind == "event":
                tokens.append("NE" if in_scope else "E")
                negated = False
                continue
            if kind == "pos":
                tag = "NP" if in_scope else "P"
            elif kind == "neg":
                tag = "NN" if in_scope else "N"
            else:
                # Plain intent words are already n-grams (and "我想问…" opens many a
                # complaint letter); what n-grams cannot see is the negation.
                if in_scope:
                    tokens.append("NI:" + kind.split(":", 1)[1])
                negated = False
                continue
            tokens.append(tag)
            tokens.append(f"{tag}:{word}")
            negated = False
    kinds = set(tokens)
    positive = bool(kinds & {"P", "NN"})
    negative = bool(kinds & {"N", "NP"})
    scare = any(q in _POS_SET for q in _QUOTED.findall(norm))
    if scare:
        tokens.append("Q+")
    if positive and negative:
        tokens.append("MIXED")
    cue = any(c in norm for c in IRONY_CUES) or _THANKS_FOR.search(norm) is not None
    if (scare or cue) and (negative or "E" in kinds):
        tokens.append("IRONY")
    return tokens
