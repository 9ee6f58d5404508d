"""AWS managed policies by name: the statements that matter for reaching data.

No package on the registries this project can use ships AWS's managed policy documents for
Python, so the commonly attached ones are written out here from their published versions,
kept to the statements that decide read/write/delete on data (log and metrics permissions are
left out). A policy that is not in this table is *unknown* (`managed_policy` returns None) and
the caller must treat the principal's reach as unknown, never as empty.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from providers.awsiam.policy import PolicyDocument


def _allow(actions: list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


_EBS_TAG = {"StringLike": {"ec2:ResourceTag/ebs.csi.aws.com/cluster": "true"}}
_READ = ["*:Get*", "*:List*", "*:Describe*", "*:BatchGet*", "*:Query", "*:Scan", "*:Select*", "*:Search*", "*:View*"]

MANAGED: dict[str, list[dict[str, Any]]] = {
    "AdministratorAccess": [_allow(["*"])],
    "PowerUserAccess": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        _allow(
            [
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
                "account:ListRegions",
                "account:GetAccountInformation",
            ]
        ),
    ],
    "ReadOnlyAccess": [_allow(_READ)],
    "ViewOnlyAccess": [_allow(["*:List*", "*:Describe*", "*:View*"])],
    "AmazonS3FullAccess": [_allow(["s3:*", "s3-object-lambda:*"])],
    "AmazonS3ReadOnlyAccess": [
        _allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"])
    ],
    "AmazonRDSFullAccess": [
        _allow(
            [
                "rds:*",
                "application-autoscaling:*",
                "cloudwatch:*",
                "ec2:Describe*",
                "sns:ListSubscriptions",
                "sns:ListTopics",
                "sns:Publish",
                "logs:*",
                "outposts:GetOutpostInstanceTypes",
                "devops-guru:GetResourceCollection",
            ]
        ),
        _allow(["pi:*"]),
    ],
    "AmazonRDSReadOnlyAccess": [
        _allow(
            [
                "rds:Describe*",
                "rds:ListTagsForResource",
                "ec2:Describe*",
                "cloudwatch:Get*",
                "cloudwatch:List*",
                "logs:Describe*",
                "logs:Get*",
            ]
        )
    ],
    "AmazonDynamoDBFullAccess": [
        _allow(
            [
                "dynamodb:*",
                "dax:*",
                "application-autoscaling:*",
                "cloudwatch:*",
                "kinesis:ListStreams",
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "iam:GetRole",
                "iam:ListRoles",
                "kms:DescribeKey",
                "kms:ListAliases",
                "sns:*",
                "lambda:*",
                "resource-groups:*",
                "tag:GetResources",
            ]
        )
    ],
    "AmazonDynamoDBReadOnlyAccess": [
        _allow(
            [
                "dynamodb:BatchGetItem",
                "dynamodb:Describe*",
                "dynamodb:List*",
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:PartiQLSelect",
                "dax:Describe*",
                "dax:List*",
                "dax:GetItem",
                "dax:BatchGetItem",
                "dax:Query",
                "dax:Scan",
            ]
        )
    ],
    "AmazonEC2FullAccess": [_allow(["ec2:*", "elasticloadbalancing:*", "cloudwatch:*", "autoscaling:*"])],
    "AmazonEC2ReadOnlyAccess": [
        _allow(
            [
                "ec2:Describe*",
                "elasticloadbalancing:Describe*",
                "cloudwatch:ListMetrics",
                "cloudwatch:GetMetricStatistics",
                "cloudwatch:Describe*",
                "autoscaling:Describe*",
            ]
        )
    ],
    "AWSBackupFullAccess": [
        _allow(
            [
                "backup:*",
                "backup-storage:*",
                "rds:DescribeDBSnapshots",
                "rds:ListTagsForResource",
                "rds:DescribeDBInstances",
                "rds:describeDBSnapshots",
                "rds:describeDBEngineVersions",
                "dynamodb:ListBackups",
                "dynamodb:ListTables",
                "dynamodb:DeleteBackup",
                "ec2:DescribeSnapshots",
                "ec2:DescribeVolumes",
                "ec2:DeleteSnapshot",
                "elasticfilesystem:DescribeFilesystems",
                "rds:DeleteDBSnapshot",
                "rds:DeleteDBClusterSnapshot",
            ]
        )
    ],
    "AmazonElastiCacheFullAccess": [_allow(["elasticache:*", "ec2:Describe*", "cloudwatch:GetMetricStatistics"])],
    "AmazonRedshiftFullAccess": [
        _allow(["redshift:*", "redshift-serverless:*", "ec2:Describe*", "cloudwatch:*", "sns:*"])
    ],
    "AmazonElasticFileSystemFullAccess": [
        _allow(
            [
                "elasticfilesystem:*",
                "ec2:DescribeSubnets",
                "ec2:DescribeNetworkInterfaces",
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
            ]
        )
    ],
    "SecretsManagerReadWrite": [
        _allow(
            [
                "secretsmanager:*",
                "cloudformation:CreateChangeSet",
                "cloudformation:DescribeChangeSet",
                "ec2:DescribeSecurityGroups",
                "kms:DescribeKey",
                "kms:ListAliases",
                "kms:ListKeys",
                "lambda:ListFunctions",
                "rds:DescribeDBClusters",
                "rds:DescribeDBInstances",
                "redshift:DescribeClusters",
                "tag:GetResources",
            ]
        )
    ],
    "AmazonSSMFullAccess": [
        _allow(
            [
                "ssm:*",
                "ec2messages:*",
                "ssmmessages:*",
                "cloudwatch:PutMetricData",
                "ds:*",
                "ec2:DescribeInstanceStatus",
                "logs:*",
            ]
        )
    ],
    "AmazonSSMReadOnlyAccess": [_allow(["ssm:Describe*", "ssm:Get*", "ssm:List*"])],
    "AmazonSSMManagedInstanceCore": [
        _allow(
            [
                "ssm:DescribeAssociation",
                "ssm:GetDeployablePatchSnapshotForInstance",
                "ssm:GetDocument",
                "ssm:DescribeDocument",
                "ssm:GetManifest",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:ListAssociations",
                "ssm:ListInstanceAssociations",
                "ssm:PutInventory",
                "ssm:PutComplianceItems",
                "ssm:PutConfigurePackageResult",
                "ssm:UpdateAssociationStatus",
                "ssm:UpdateInstanceAssociationStatus",
                "ssm:UpdateInstanceInformation",
                "ssmmessages:*",
                "ec2messages:*",
            ]
        )
    ],
    "AmazonEBSCSIDriverPolicy": [
        _allow(
            [
                "ec2:CreateSnapshot",
                "ec2:AttachVolume",
                "ec2:DetachVolume",
                "ec2:ModifyVolume",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInstances",
                "ec2:DescribeSnapshots",
                "ec2:DescribeTags",
                "ec2:DescribeVolumes",
                "ec2:DescribeVolumesModifications",
            ]
        ),
        _allow(["ec2:CreateVolume"]),
        _allow(["ec2:DeleteVolume"], Condition=_EBS_TAG),
        _allow(["ec2:DeleteSnapshot"], Condition={"StringLike": {"ec2:ResourceTag/CSIVolumeSnapshotName": "*"}}),
    ],
    "AmazonEKSClusterPolicy": [
        _allow(
            [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:UpdateAutoScalingGroup",
                "ec2:AttachVolume",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:CreateRoute",
                "ec2:CreateSecurityGroup",
                "ec2:CreateTags",
                "ec2:CreateVolume",
                "ec2:DeleteRoute",
                "ec2:DeleteSecurityGroup",
                "ec2:DeleteVolume",
                "ec2:Describe*",
                "ec2:DetachVolume",
                "ec2:ModifyInstanceAttribute",
                "ec2:ModifyVolume",
                "ec2:RevokeSecurityGroupIngress",
                "elasticloadbalancing:*",
                "kms:DescribeKey",
            ]
        )
    ],
    "AmazonEKSWorkerNodePolicy": [
        _allow(
            [
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVolumes",
                "ec2:DescribeVolumesModifications",
                "ec2:DescribeVpcs",
                "eks:DescribeCluster",
                "eks-auth:AssumeRoleForPodIdentity",
            ]
        )
    ],
    "AmazonEKS_CNI_Policy": [
        _allow(
            [
                "ec2:AssignPrivateIpAddresses",
                "ec2:AttachNetworkInterface",
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeInstances",
                "ec2:DescribeTags",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeSubnets",
                "ec2:DetachNetworkInterface",
                "ec2:ModifyNetworkInterfaceAttribute",
                "ec2:UnassignPrivateIpAddresses",
            ]
        ),
        _allow(["ec2:CreateTags"]),
    ],
    "AmazonEC2ContainerRegistryReadOnly": [
        _allow(
            [
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:GetRepositoryPolicy",
                "ecr:DescribeRepositories",
                "ecr:ListImages",
                "ecr:DescribeImages",
                "ecr:BatchGetImage",
                "ecr:GetLifecyclePolicy",
                "ecr:GetLifecyclePolicyPreview",
                "ecr:ListTagsForResource",
                "ecr:DescribeImageScanFindings",
            ]
        )
    ],
    "AWSLambdaBasicExecutionRole": [_allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])],
    "AWSLambdaVPCAccessExecutionRole": [
        _allow(
            [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ]
        )
    ],
    "AmazonRDSEnhancedMonitoringRole": [
        _allow(
            [
                "logs:CreateLogGroup",
                "logs:PutRetentionPolicy",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
                "logs:GetLogEvents",
            ]
        )
    ],
    "CloudWatchAgentServerPolicy": [
        _allow(
            [
                "cloudwatch:PutMetricData",
                "ec2:DescribeVolumes",
                "ec2:DescribeTags",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
                "logs:DescribeLogGroups",
                "logs:CreateLogStream",
                "logs:CreateLogGroup",
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "ssm:GetParameter",
            ]
        )
    ],
}


def policy_name(arn_or_name: str) -> str:
    """`arn:aws:iam::aws:policy/service-role/X` → `X`; a bare name is returned as given."""
    if arn_or_name.startswith("arn:"):
        parts = arn_or_name.split(":", 5)
        if len(parts) < 6 or parts[4] != "aws" or not parts[5].startswith("policy/"):
            return ""  # a customer managed policy: not ours to know
        return parts[5].rsplit("/", 1)[-1]
    return arn_or_name


@lru_cache(maxsize=256)
def managed_policy(arn_or_name: str) -> PolicyDocument | None:
    """The AWS managed policy by ARN or name; None when it is not known here (reach unknown)."""
    statements = MANAGED.get(policy_name(arn_or_name))
    return PolicyDocument.parse({"Statement": statements}) if statements is not None else None
