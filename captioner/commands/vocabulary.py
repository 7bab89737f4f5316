"""`captioner vocabulary`: manage hot-word vocabularies on the service (or `captioner serve`).

    captioner vocabulary create --target-model fun-asr --prefix demo Quillbyte:5 "Dr. Okonkwo"
    captioner vocabulary list [--prefix demo]
    captioner vocabulary show vocab-demo-...
    captioner vocabulary update vocab-demo-... Quillbyte:5:en Zarvox
    captioner vocabulary delete vocab-demo-...

A word is TEXT, TEXT:WEIGHT (1-5, default 4) or TEXT:WEIGHT:LANG. `create` prints the new
id alone on stdout, for scripts; pass it as --vocabulary-id to `transcribe` or
`transcribe-url`. Exit codes (captioner.errors): 0 done, 2 bad arguments or no API key, 5
the service refused (unknown id, quota of 10 vocabularies, a word over the limits), 6 the
service could not be reached.
"""

from __future__ import annotations

import argparse
import sys

from captioner.errors import EXIT_OK


def add_parser(p: argparse.ArgumentParser) -> None:
    common = argparse.ArgumentParser(add_help=False)
    svc = common.add_argument_group("service")
    svc.add_argument("--region", choices=("cn", "intl"), help="Alibaba Cloud region: Beijing (default) or Singapore")
    svc.add_argument("--base-url", metavar="URL", help="REST base URL, e.g. http://127.0.0.1:8765/api/v1")
    svc.add_argument("--workspace", help="Model Studio workspace id")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", parents=[common], help="make a vocabulary; prints its id")
    create.add_argument(
        "--target-model",
        required=True,
        help="the model it will be used with (fun-asr, fun-asr-realtime, paraformer-v2, ...)",
    )
    create.add_argument("--prefix", required=True, help="1-9 lowercase letters or digits, part of the id")
    create.add_argument("words", nargs="+", metavar="WORD", help="TEXT[:WEIGHT[:LANG]]")
    listing = actions.add_parser("list", parents=[common], help="list vocabularies")
    listing.add_argument("--prefix", help="only those made with this prefix")
    show = actions.add_parser("show", parents=[common], help="show a vocabulary's words")
    show.add_argument("vocabulary_id", metavar="ID")
    update = actions.add_parser("update", parents=[common], help="replace a vocabulary's words")
    update.add_argument("vocabulary_id", metavar="ID")
    update.add_argument("words", nargs="+", metavar="WORD", help="TEXT[:WEIGHT[:LANG]]")
    delete = actions.add_parser("delete", parents=[common], help="delete a vocabulary")
    delete.add_argument("vocabulary_id", metavar="ID")


def run(args: argparse.Namespace) -> int:
    import asyncio

    from captioner.commands._terminal import fail
    from captioner.errors import Category
    from captioner.protocol.rest import ServiceError
    from captioner.recognition.cloud.vocabulary import VocabularyClient

    try:
        client = VocabularyClient(args.base_url, args.region, workspace=args.workspace)
    except ValueError as exc:
        return fail(exc)
    except ServiceError as exc:  # no API key
        return fail(exc, exc.message)
    try:
        return asyncio.run(_act(args, client))
    except ServiceError as exc:  # an InvalidParameter refused here, before sending, is a usage error
        if exc.category in (Category.SERVICE, Category.AUTH, Category.UNKNOWN_MODEL):  # the service's answer
            return fail(exc, f"{exc.explanation}: {exc.message} ({exc.code})")
        return fail(exc, exc.message)


async def _act(args: argparse.Namespace, client) -> int:
    from captioner.protocol.vocabulary import parse_hot_word

    if args.action == "create":
        print(await client.create(args.target_model, [parse_hot_word(w) for w in args.words], args.prefix))
    elif args.action == "list":
        for v in await client.list(prefix=args.prefix, page_size=100):
            print(f"{v.vocabulary_id}\t{v.status}\t{v.gmt_modified}")
    elif args.action == "show":
        v = await client.query(args.vocabulary_id)
        print(f"# {args.vocabulary_id} for {v.target_model} ({v.status}, modified {v.gmt_modified})")
        for w in v.words:
            print(f"{w.text}\t{w.weight}\t{w.lang or ''}".rstrip())
    elif args.action == "update":
        await client.update(args.vocabulary_id, [parse_hot_word(w) for w in args.words])
        print(f"updated {args.vocabulary_id}", file=sys.stderr)
    elif args.action == "delete":
        await client.delete(args.vocabulary_id)
        print(f"deleted {args.vocabulary_id}", file=sys.stderr)
    return EXIT_OK
