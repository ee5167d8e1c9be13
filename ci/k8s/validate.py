#!/usr/bin/python3
"""Checks Kubernetes manifests against the Kubernetes API schema, offline.

Usage: ci/k8s/validate.py FILE.yaml...

The schema is the one Debian's python3-kubernetes carries (bookworm: 22.6,
the Kubernetes 1.22 API): every object's class lists its fields with their
types (openapi_types) and their names in YAML (attribute_map), and refuses
a missing required field. On top of that this checks what those classes
do not: fields they do not have (a misspelling is not silently dropped),
the values of the enumerations restorelab's manifests use, and resource
quantities (`4Gi`, not `4GiB`). A field Kubernetes added after 1.22
(backoffLimitPerIndex, podFailurePolicy, ...) is reported as unknown.

Each problem is one line on stderr, FILE:LINE:COLUMN: PATH: what is wrong;
each valid file one line on stdout. Exit: 0 all valid, 2 a problem (or
python3-kubernetes missing: how to install it).
"""
import difflib
import re
import sys

try:
    import yaml
    import kubernetes
    from kubernetes import client
except ImportError as e:  # pragma: no cover - the message is the point
    sys.stderr.write(f"validate.py: {e.name} is missing; install it with "
                     "`apt-get install python3-kubernetes python3-yaml` (ci/setup.sh does)\n")
    sys.exit(2)

SCHEMA = f"Kubernetes schema of python3-kubernetes {kubernetes.__version__}"

# The kinds a manifest here may be, by apiVersion and kind.
KINDS = {("batch/v1", "Job"): "V1Job", ("v1", "PersistentVolumeClaim"): "V1PersistentVolumeClaim"}

# Enumerations of the API (the 1.22 reference), by class and field.
ENUMS = {
    ("V1JobSpec", "completionMode"): ["NonIndexed", "Indexed"],
    ("V1PodSpec", "restartPolicy"): ["Always", "OnFailure", "Never"],
    ("V1PodSpec", "dnsPolicy"): ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
    ("V1PodSpec", "preemptionPolicy"): ["PreemptLowerPriority", "Never"],
    ("V1Container", "imagePullPolicy"): ["Always", "Never", "IfNotPresent"],
    ("V1Container", "terminationMessagePolicy"): ["File", "FallbackToLogsOnError"],
    ("V1ContainerPort", "protocol"): ["TCP", "UDP", "SCTP"],
    ("V1Capabilities", "add"): None,  # free strings
    ("V1PersistentVolumeClaimSpec", "volumeMode"): ["Filesystem", "Block"],
}
ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]

# Resource quantities: resource.Quantity's grammar (apimachinery).
QUANTITY = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$")
QUANTITY_FIELDS = {("V1ResourceRequirements", "limits"), ("V1ResourceRequirements", "requests"),
                   ("V1EmptyDirVolumeSource", "sizeLimit")}

TAG_TYPES = {"tag:yaml.org,2002:str": "str", "tag:yaml.org,2002:int": "int",
             "tag:yaml.org,2002:bool": "bool", "tag:yaml.org,2002:float": "float",
             "tag:yaml.org,2002:null": "null"}


class Checker:
    def __init__(self, path):
        self.path = path
        self.problems = []
        self.fields = 0

    def problem(self, node, where, what):
        mark = node.start_mark
        self.problems.append(f"{self.path}:{mark.line + 1}:{mark.column + 1}: {where}: {what}")

    def value(self, node, kind, where, owner=None, field=None):
        """Checks NODE against the type KIND ('str', 'list[V1Container]', a class name...)."""
        if kind.startswith("list["):
            if not isinstance(node, yaml.SequenceNode):
                return self.problem(node, where, f"expected a list ({kind}), found {describe(node)}")
            for i, item in enumerate(node.value):
                self.value(item, kind[5:-1], f"{where}[{i}]", owner, field)
            return
        if kind.startswith("dict("):
            if not isinstance(node, yaml.MappingNode):
                return self.problem(node, where, f"expected a map ({kind}), found {describe(node)}")
            inner = kind[kind.index(",") + 1:-1].strip()
            for key, item in node.value:
                self.value(item, inner, f"{where}.{key.value}", owner, field)
            return
        if kind in ("str", "int", "bool", "float"):
            found = TAG_TYPES.get(node.tag) if isinstance(node, yaml.ScalarNode) else None
            if found != kind and not (kind == "float" and found == "int"):
                return self.problem(node, where, f"expected {article(kind)}, found {describe(node)}")
            allowed = ENUMS.get((owner, field))
            if field == "accessModes":
                allowed = ACCESS_MODES
            if allowed and node.value not in allowed:
                self.problem(node, where, f"\"{node.value}\" is not one of {', '.join(allowed)}")
            if (owner, field) in QUANTITY_FIELDS and not QUANTITY.match(node.value):
                self.problem(node, where, f"\"{node.value}\" is not a quantity (such as 2, 500m, 4Gi, 1.5G)")
            return
        if kind == "object":  # IntOrString and free-form values
            return
        self.model(node, kind, where)

    def model(self, node, name, where):
        cls = getattr(client, name, None)
        if cls is None:
            return self.problem(node, where, f"{name} is not a class of the {SCHEMA}")
        if not isinstance(node, yaml.MappingNode):
            return self.problem(node, where, f"expected an object ({name}), found {describe(node)}")
        by_yaml = {yaml_name: attr for attr, yaml_name in cls.attribute_map.items()}
        given = {}
        for key, item in node.value:
            self.fields += 1
            attr = by_yaml.get(key.value)
            if attr is None:
                close = difflib.get_close_matches(key.value, by_yaml, n=1)
                hint = f" (did you mean \"{close[0]}\"?)" if close else ""
                self.problem(key, f"{where}.{key.value}", f"not a field of {name}{hint}")
                continue
            given[attr] = True
            self.value(item, cls.openapi_types[attr], f"{where}.{key.value}", name, key.value)
        # The class refuses a required field left out (its constructor checks).
        try:
            cls(**{attr: placeholder(cls.openapi_types[attr]) for attr in cls.openapi_types if attr in given})
        except ValueError as e:
            missing = re.search(r"`(\w+)`, must not be `None`", str(e))
            field = cls.attribute_map.get(missing.group(1), missing.group(1)) if missing else "?"
            self.problem(node, where, f"{name} needs the field \"{field}\"")


def placeholder(kind):
    """A value of KIND that passes the model's own checks (only None fails them)."""
    return {"str": "x", "int": 0, "bool": False, "float": 0.0}.get(kind, [] if kind.startswith("list[") else {})


def article(kind):
    return {"str": "a string", "int": "an integer", "bool": "true or false", "float": "a number"}[kind]


def describe(node):
    if isinstance(node, yaml.MappingNode):
        return "a map"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    found = TAG_TYPES.get(node.tag, node.tag)
    return f"{article(found) if found in ('str', 'int', 'bool', 'float') else found} \"{node.value}\""


def check_file(path):
    checker = Checker(path)
    try:
        with open(path, encoding="utf-8") as f:
            documents = list(yaml.compose_all(f))
    except (OSError, UnicodeDecodeError) as e:
        return [f"{path}: cannot read: {e}"], checker
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f"{mark.line + 1}:{mark.column + 1}: " if mark else ""
        return [f"{path}:{at}not YAML: {getattr(e, 'problem', e)}"], checker
    documents = [d for d in documents if d is not None]
    if not documents:
        return [f"{path}: no manifest in the file"], checker
    for doc in documents:
        if not isinstance(doc, yaml.MappingNode):
            checker.problem(doc, "(top)", f"expected a Kubernetes object, found {describe(doc)}")
            continue
        top = {k.value: v for k, v in doc.value}
        api = top.get("apiVersion")
        kind = top.get("kind")
        name = KINDS.get((api.value if api else None, kind.value if kind else None))
        if name is None:
            kinds = ", ".join(f"{k} ({a})" for a, k in KINDS)
            checker.problem(doc, "(top)", f"apiVersion and kind must be one of {kinds}")
            continue
        checker.model(doc, name, kind.value)
    return checker.problems, checker


def main(paths):
    if not paths:
        sys.stderr.write("usage: ci/k8s/validate.py FILE.yaml...\n")
        return 2
    bad = False
    for path in paths:
        problems, checker = check_file(path)
        for p in problems:
            sys.stderr.write(p + "\n")
        if problems:
            bad = True
        else:
            print(f"{path}: valid ({checker.fields} fields checked against the {SCHEMA})")
    return 2 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
