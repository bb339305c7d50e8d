"""Renders every kept chat template with Jinja2 the way Hugging Face transformers does, for the
conversations below, into jinja2-renders.json (read by ../chat_templates.rs).

transformers compiles chat templates in an ImmutableSandboxedEnvironment with
trim_blocks=True, lstrip_blocks=True and the loopcontrols extension, and defines
raise_exception(); bos_token and eos_token come from the tokenizer. Run from this folder:

    python3 render_jinja2.py

Needs only `jinja2` (3.1.6 was used).
"""

import json

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


ENV = ImmutableSandboxedEnvironment(
    trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
)
ENV.globals["raise_exception"] = raise_exception

# template file, bos_token, eos_token (the models' tokenizers).
TEMPLATES = [
    ("chatml.jinja", "<s>", "<|im_end|>"),
    ("llama3.jinja", "<|begin_of_text|>", "<|eot_id|>"),
    ("mistral-v1.jinja", "<s>", "</s>"),
    ("mistral-v3.jinja", "<s>", "</s>"),
    ("mistral-v3-tekken.jinja", "<s>", "</s>"),
    ("mistral-v7.jinja", "<s>", "</s>"),
    ("gemma2.jinja", "<bos>", "<eos>"),
    ("gemma3.jinja", "<bos>", "<eos>"),
]

S, U, A = "system", "user", "assistant"
CONVERSATIONS = [
    [],
    [(U, "Hi")],
    [(S, "You are terse."), (U, "Hi"), (A, "Hello."), (U, "Capital of France?")],
    [(U, "Hi"), (A, "Hello.")],
    [(S, "  Be brief.\n"), (U, "\n  padded  \t"), (A, "  spaced out  "), (U, "")],
    [(U, "\x1cfile separator\x1f"), (A, "\u00a0nbsp\u3000"), (U, "\u2028line\u2029")],
    [(U, "Grüße, 東京 🌸"), (A, "¡Hola! Ça va — naïve café")],
    [(U, ""), (A, ""), (U, "")],
    [(S, "only a system prompt")],
    [(S, "one"), (S, "two"), (U, "Hi")],
    [(U, "a"), (U, "b"), (A, "c")],
    [(A, "I speak first")],
    [(U, "Hi"), (S, "late system"), (U, "again")],
    [(S, "sys"), (U, "Hi"), (A, "Hello.")],
    [(U, "Hi"), (A, "one"), (A, "two")],
]


def main():
    cases = []
    for conversation in CONVERSATIONS:
        messages = [{"role": role, "content": content} for role, content in conversation]
        for name, bos, eos in TEMPLATES:
            with open(name, encoding="utf-8") as f:
                template = ENV.from_string(f.read())
            for add_generation_prompt in (False, True):
                case = {
                    "template": name,
                    "bos_token": bos,
                    "eos_token": eos,
                    "add_generation_prompt": add_generation_prompt,
                    "messages": messages,
                }
                try:
                    case["output"] = template.render(
                        messages=messages,
                        add_generation_prompt=add_generation_prompt,
                        bos_token=bos,
                        eos_token=eos,
                    )
                except jinja2.exceptions.TemplateError as e:
                    case["error"] = f"{type(e).__name__}: {e}"
                cases.append(case)
    # One case a line.
    lines = ",\n".join(json.dumps(case, ensure_ascii=True) for case in cases)
    with open("jinja2-renders.json", "w", encoding="ascii") as f:
        f.write(f'{{"jinja2": {json.dumps(jinja2.__version__)}, "cases": [\n{lines}\n]}}\n')


if __name__ == "__main__":
    main()
