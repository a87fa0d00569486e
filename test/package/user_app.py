"""A user's CDK app in Python: the wheel jsii-pacmak builds, installed beside aws-cdk-lib from PyPI.

test/package/python-package.test.ts runs it in a virtualenv: python user_app.py <outdir>
"""
import sys

import aws_cdk as cdk
from kinesis_streaming_pipelines import (
    CapacityMode,
    IotFleet,
    IotSensorPipeline,
    PipelineStream,
    ThroughputProfile,
)

app = cdk.App(outdir=sys.argv[1] if len(sys.argv) > 1 else None)

stream_stack = cdk.Stack(app, "PyStream")
clicks = PipelineStream(
    stream_stack,
    "Clicks",
    profile=ThroughputProfile(
        peak_records_per_second=5000,
        average_record_size=cdk.Size.kibibytes(2),
        efo_consumers=1,
    ),
)
clicks.add_consumer("Analytics")

IotSensorPipeline(
    cdk.Stack(app, "PyIot"),
    "Sensors",
    fleet=IotFleet(
        devices=10000,
        messages_per_device_per_second=0.2,
        average_message_size=cdk.Size.bytes(600),
    ),
    capacity_mode=CapacityMode.AUTO,
)

app.synth()
