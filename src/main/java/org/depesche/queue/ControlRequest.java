package org.depesche.queue;

/**
 * What the operator asks of the server delivering from the queue
 * ({@code depesche queue retry|delete} while a server holds the lease):
 * left with {@link Queue#request}, served once from {@link Queue#takeRequests}.
 */
public record ControlRequest(Action action, String id) {

    public enum Action {
        /** Attempt delivery now. */
        RETRY,
        /** Remove the message without delivering it further (no bounce). */
        DELETE
    }

    public ControlRequest {
        if (action == null || id == null) throw new IllegalArgumentException("a control request needs an action and an id");
    }

    public static ControlRequest retry(String id) {
        return new ControlRequest(Action.RETRY, id);
    }

    public static ControlRequest delete(String id) {
        return new ControlRequest(Action.DELETE, id);
    }
}
