"""Warnings of sklpoincare."""

__all__ = ["ReversedRelationsWarning"]


class ReversedRelationsWarning(UserWarning):
    """The relations given to ``fit`` look like (parent, child) pairs.

    ``fit`` reads each row as (child, parent). Given the other way round, a
    hierarchy has many nodes without a parent (its leaves) and few without a
    child (its roots), and the embedding would place the most general nodes
    at the boundary. Silence it with :func:`warnings.filterwarnings` where
    such a shape is meant.

    Parameters
    ----------
    observation : str
        What the relations look like (the counts, and a few labels).
    advice : str
        What to do about it.

    Attributes
    ----------
    observation : str
        The first part of the message, for callers that give their own
        advice (the command line).
    advice : str
        The second part.
    """

    def __init__(self, observation, advice):
        super().__init__(f"{observation}. {advice}")
        self.observation = observation
        self.advice = advice

    def __reduce__(self):  # pickle (e.g. from a worker process) by both parts
        return type(self), (self.observation, self.advice)
