#!/usr/bin/env bash
# Lints the deployment files with the offline tools of the dev extras (the same checks
# tests/deploy runs, with the tools' own output): hadolint, kustomize + kubernetes-validate,
# cfn-lint, and the links of deploy/README.md. Usage: scripts/lint-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT

echo "== hadolint Dockerfile"
"$bin/hadolint" Dockerfile

for overlay in base overlays/dev overlays/production; do
  out="$rendered/${overlay//\//-}.yaml"
  "$bin/kubectl" kustomize "deploy/k8s/$overlay" > "$out"
  for version in 1.30.0 1.37.0; do
    echo "== kubernetes-validate deploy/k8s/$overlay (Kubernetes $version)"
    "$bin/kubernetes-validate" --strict --quiet -k "$version" "$out"
  done
done

echo "== cfn-lint deploy/ecs"
"$bin/cfn-lint" deploy/ecs/*.yaml

# No tool checks prose: the links and paths of deploy/README.md, by their test.
echo "== links and paths of deploy/README.md"
"$bin/pytest" -q -p no:randomly -p no:cacheprovider tests/deploy/test_deploy_readme.py
echo "deployment files: all checks passed"
