package org.a6suite.ai.internal;

import java.util.List;
import java.util.Optional;
import org.a6suite.ai.internal.provider.ClientBody;
import org.a6suite.ai.internal.provider.Operation;

/** What a call asked for, after validation: the operation, the body, the model asked for, the targets in order. */
record ParsedCall(
        Operation operation,
        ClientBody request,
        boolean stream,
        Optional<String> requestedModel,
        List<TargetRuntime> ordered) {}
