#!/bin/sh
# flood-action.sh block|unblock ADDRESS RULE [PPS]: what sflow-flood-rules.yaml runs. This one
# only logs; replace the line with your blackhole, e.g. ip route add blackhole "$2/32".
echo "$1 $2 $3 $4" >> "${FLOOD_ACTION_LOG:-/var/log/flowpipe-flood.log}"
