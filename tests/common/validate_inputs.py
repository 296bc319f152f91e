"""Checks schedule targets against AWS's own API models (botocore's service-2.json), as real AWS
would check the request when the schedule fires.

Reads a JSON list of {"name", "arn", "input", "create_schedule"} on standard input: "arn" is a
Scheduler universal target (arn:PARTITION:scheduler:::aws-sdk:SERVICE:apiAction), "input" the
target's Input text, and the optional "create_schedule" the schedule as a Scheduler CreateSchedule
request (without its timestamps), which is checked against Scheduler's own model the same way.
For each, it finds the service and operation in botocore's models and checks the Input with
botocore's parameter validator (unknown and missing members, types) and with the model's
constraints that validator leaves out (enums, maximum lengths, patterns, integer ranges). It
also refuses the read-only actions Scheduler does not call (its documented prefix list).

Member names: a universal target's Input, like a Step Functions AWS SDK integration's
parameters, names each member in PascalCase even where the service's own API is in camelCase
(ECS's `desiredCount` is `DesiredCount`): "Parameters in Step Functions are expressed in
PascalCase, even if the native service API is in camelCase" (Step Functions developer guide,
AWS SDK service integrations). Every key must be a member's name in that form; it is turned
back into the model's name before botocore checks the value.

Prints a JSON list of {"name", "service", "operation", "errors": [...]}, one per schedule.
"""

import json
import re
import sys

import botocore.session
import botocore.validate

# "EventBridge Scheduler does not support read-only API actions ... that begin with" these
# (Using universal targets, EventBridge Scheduler User Guide).
READ_ONLY_PREFIXES = (
    "get", "describe", "list", "poll", "receive", "search", "scan", "query", "select", "read",
    "lookup", "discover", "validate", "batchGet", "batchDescribe", "batchRead", "transact",
)


def services_by_sdk_id(session):
    """Scheduler names a service by its SDK identifier in lower case without separators
    (applicationautoscaling, autoscaling, ecs, sns): map those to botocore's model names."""
    names = {}
    for name in session.get_available_services():
        names[name.replace("-", "").lower()] = name
    return names


def constraint_errors(shape, value, path, errors):
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for key, member in shape.members.items():
            if key in value:
                constraint_errors(member, value[key], f"{path}.{key}", errors)
    elif kind == "list" and isinstance(value, list):
        top = shape.metadata.get("max")
        if top is not None and len(value) > top:
            errors.append(f"{path}: {len(value)} items, at most {top}")
        for i, item in enumerate(value):
            constraint_errors(shape.member, item, f"{path}[{i}]", errors)
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            constraint_errors(shape.value, item, f"{path}[{key}]", errors)
    elif kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.enum}")
        top = shape.metadata.get("max")
        if top is not None and len(value) > top:
            errors.append(f"{path}: {len(value)} characters, at most {top}")
        pattern = shape.metadata.get("pattern")
        if pattern is not None:
            try:
                compiled = re.compile(pattern, re.DOTALL)
            except re.error:
                compiled = None
            if compiled is not None and compiled.fullmatch(value) is None:
                errors.append(f"{path}: {value!r} does not match {pattern}")
    elif kind in ("integer", "long") and isinstance(value, int):
        low, top = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            errors.append(f"{path}: {value} is below {low}")
        if top is not None and value > top:
            errors.append(f"{path}: {value} is above {top}")


def pascal(name):
    return name[0].upper() + name[1:]


def to_model_names(shape, value, path, errors):
    """The Input with each PascalCase key turned into the model's member name; a key that is
    not a member's name in PascalCase is reported and left as it is (botocore then names it)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = {pascal(name): name for name in shape.members}
        out = {}
        for key, item in value.items():
            name = members.get(key)
            if name is None:
                if key in shape.members:
                    errors.append(f"{path}.{key}: write it in PascalCase, {pascal(key)}")
                out[key] = item
            else:
                out[name] = to_model_names(shape.members[name], item, f"{path}.{key}", errors)
        return out
    if kind == "list" and isinstance(value, list):
        return [to_model_names(shape.member, item, f"{path}[{i}]", errors) for i, item in enumerate(value)]
    if kind == "map" and isinstance(value, dict):
        return {key: to_model_names(shape.value, item, f"{path}[{key}]", errors) for key, item in value.items()}
    return value


def validate(model, operation, params, errors, pascal_case=False):
    shape = model.operation_model(operation).input_shape
    if pascal_case:
        params = to_model_names(shape, params, operation, errors)
    report = botocore.validate.ParamValidator().validate(params, shape)
    if report.has_errors():
        errors.extend(line.strip() for line in report.generate_report().splitlines() if line.strip())
    constraint_errors(shape, params, operation, errors)


def check(session, names, item):
    result = {"name": item["name"], "service": None, "operation": None, "errors": []}
    errors = result["errors"]
    match = re.fullmatch(r"arn:aws[a-z-]*:scheduler:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)", item["arn"])
    if match is None:
        errors.append(f"not a universal target ARN: {item['arn']}")
        return result
    sdk_id, action = match.groups()
    if action[0].isupper():
        errors.append(f"the API action {action!r} must be in camel case")
    if action.startswith(READ_ONLY_PREFIXES):
        errors.append(f"Scheduler does not call read-only actions: {action}")
    service = names.get(sdk_id)
    if service is None:
        errors.append(f"no AWS service has the SDK identifier {sdk_id!r}")
        return result
    model = session.get_service_model(service)
    operation = action[0].upper() + action[1:]
    if operation not in model.operation_names:
        errors.append(f"{service} has no operation {operation}")
        return result
    result["service"], result["operation"] = service, operation
    try:
        params = json.loads(item["input"])
    except (TypeError, ValueError) as e:
        errors.append(f"Input is not JSON: {e}")
        return result
    validate(model, operation, params, errors, pascal_case=True)
    if "create_schedule" in item:
        validate(session.get_service_model("scheduler"), "CreateSchedule", item["create_schedule"], errors)
    return result


def main():
    session = botocore.session.get_session()
    names = services_by_sdk_id(session)
    items = json.load(sys.stdin)
    json.dump([check(session, names, item) for item in items], sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
