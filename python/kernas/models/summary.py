"""``model.summary()``: the table Keras 3 prints, without depending on ``rich``.

Keras 3 renders the summary with ``rich``; this module reproduces, character
for character, what that rendering prints when it is not writing colours to
a terminal: the same box characters, the same column widths (``rich``'s
reduction of columns that do not fit), the same word wrapping of long cells
(a word longer than its column ends in ``…``), and the same cropping of lines
to the console width. Cell widths count one cell per character (layer names
and shapes are ASCII).
"""

import math
import os
import re
import shutil
import sys

import numpy as np

_WORD = re.compile(r"\s*\S+\s*")

# rich's HEAVY_HEAD box: (left, fill, divider, right) of each kind of line.
_TOP = ("┏", "━", "┳", "┓")
_HEAD_ROW = ("┃", " ", "┃", "┃")
_HEAD_RULE = ("┡", "━", "╇", "┩")
_ROW = ("│", " ", "│", "│")
_ROW_RULE = ("├", "─", "┼", "┤")
_BOTTOM = ("└", "─", "┴", "┘")


def _console_width():
    """The width rich's console uses: the terminal's (stdin, stdout or stderr), else ``$COLUMNS``, else 80."""
    width = None
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


def _break_positions(text, width, fold):
    """rich's ``divide_line``: where to break ``text`` so each piece fits ``width``."""
    breaks = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            if fold:
                pieces = [word[i : i + width] for i in range(0, len(word), width)]
                for piece in pieces[:-1]:
                    if start:
                        breaks.append(start)
                    start += len(piece)
                if start:
                    breaks.append(start)
                offset = len(pieces[-1])
            else:
                if start:
                    breaks.append(start)
                offset = len(word)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _wrap(text, width, overflow, strip):
    """Word-wraps ``text`` to ``width`` as rich's ``Text.wrap``.

    A wrapped line keeps the space it was broken after, unless ``strip`` (a
    justified table cell, where rich strips it); beyond ``width`` such
    spaces are dropped first, then the line is cut (with ``…`` for
    ``overflow="ellipsis"``).
    """
    lines = []
    for paragraph in text.split("\n"):
        bounds = [0] + _break_positions(paragraph, width, overflow == "fold") + [len(paragraph)]
        for start, end in zip(bounds, bounds[1:]):
            line = paragraph[start:end]
            if strip:
                line = line.rstrip()
            elif len(line) > width:
                spaces = len(line) - len(line.rstrip())
                line = line[: len(line) - min(spaces, len(line) - width)]
            if len(line) > width:
                line = line[: width - 1] + "…" if overflow == "ellipsis" else line[:width]
            lines.append(line)
    return lines


def _justify(line, width, how):
    if how == "right":
        return line.rjust(width)
    if how == "center":
        left = (width - len(line)) // 2
        return (" " * left + line).ljust(width)
    return line.ljust(width)


def _ratio_reduce(total, ratios, maximums, values):
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(values)
    remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _ratio_distribute(total, ratios):
    total_ratio = sum(ratios)
    remaining = total
    result = []
    for ratio in ratios:
        distributed = math.ceil(ratio * remaining / total_ratio) if total_ratio > 0 else remaining
        result.append(distributed)
        total_ratio -= ratio
        remaining -= distributed
    return result


def _table_widths(column_widths, table_width):
    """rich's widths (padding included) of fixed-width columns in a table of ``table_width`` characters."""
    available = table_width - (len(column_widths) + 1)
    widths = [min(width + 2, available) for width in column_widths]
    total = sum(widths)
    if total > available:
        widths = _ratio_reduce(total - available, [1] * len(widths), widths, widths)
    elif total < available:
        widths = [w + pad for w, pad in zip(widths, _ratio_distribute(available - total, widths))]
    return widths


def _rule(widths, parts):
    left, fill, divider, right = parts
    return left + divider.join(fill * width for width in widths) + right


def _render_row(cells, widths, justify, parts, bottom_align):
    wrapped = [_wrap(cell, width - 2, "ellipsis", strip=True) for cell, width in zip(cells, widths)]
    height = max(len(lines) for lines in wrapped)
    columns = []
    for lines, width, how in zip(wrapped, widths, justify):
        blank = [""] * (height - len(lines))
        lines = blank + lines if bottom_align else lines + blank
        columns.append([" " + _justify(line, width - 2, how) + " " for line in lines])
    left, _, divider, right = parts
    return [left + divider.join(row) + right for row in zip(*columns)]


def _render_table(header, rows, column_widths, justify, table_width):
    widths = _table_widths(column_widths, table_width)
    lines = [_rule(widths, _TOP)]
    lines += _render_row(header, widths, justify, _HEAD_ROW, bottom_align=True)
    lines.append(_rule(widths, _HEAD_RULE))
    for index, row in enumerate(rows):
        if index:
            lines.append(_rule(widths, _ROW_RULE))
        lines += _render_row(row, widths, justify, _ROW, bottom_align=False)
    lines.append(_rule(widths, _BOTTOM))
    return lines


def _count(weights):
    return int(sum(math.prod(w.shape) for w in weights))


def _memory_size(weights):
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(w.shape) * np.dtype(getattr(w, "dtype", "float32")).itemsize for w in unique)


def _readable_size(size):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _format_shape(shape):
    return "(" + ", ".join(str(dim) for dim in shape) + ")"


def _layer_range_bounds(layers, layer_range):
    """Keras's ``get_layer_index_bound_by_layer_name``: [first, last + 1] of the layers whose names match."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError(
            "Expected layer_range to be a list or tuple of 2 layer names (or regexes). Received: "
            f"layer_range={layer_range} of length {len(layer_range)}."
        )
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"Expected layer_range to contain strings only. Received: layer_range={layer_range}.")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(
            f"Expected layer_range to match layer names of the model. Received: layer_range={layer_range}; "
            f"the layers are {[layer.name for layer in layers]}."
        )
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def _output_shapes(model):
    if getattr(model, "built", False) and hasattr(model, "layer_output_shapes"):
        return [_format_shape(shape) for shape in model.layer_output_shapes()]
    return ["?"] * len(model.layers)


def _layer_rows(model, expand_nested, show_trainable, level=0, bounds=None):
    layers = model.layers
    shapes = _output_shapes(model)
    start, stop = bounds if bounds is not None else (0, len(layers))
    prefix = "   " * level + "└ " if level else ""
    rows = []
    for layer, shape in zip(layers[start:stop], shapes[start:stop]):
        if not hasattr(layer, "built"):
            params = "0"
        elif not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", shape, params]
        if show_trainable:
            if len(getattr(layer, "weights", ())) > 0:
                row.append("Y" if layer.trainable else "N")
            else:
                row.append("-")
        rows.append(row)
        if expand_nested and getattr(layer, "layers", None):
            rows += _layer_rows(layer, expand_nested, show_trainable, level + 1)
    return rows


def print_summary(
    model,
    line_length=None,
    positions=None,
    print_fn=None,
    expand_nested=False,
    show_trainable=False,
    layer_range=None,
):
    """Prints a summary of a model, as Keras 3's ``model.summary()``.

    Args:
        model: the model (its ``name``, ``layers``, weights, and, once built,
            ``layer_output_shapes()``).
        line_length: total width of the table; by default 88 (100 with
            ``show_trainable``), at most the terminal width minus 4.
        positions: right edges of the columns, as fractions of
            ``line_length``; default ``[0.45, 0.80, 1.0]``.
        print_fn: function called once with the whole summary text; by
            default the text is written to stdout.
        expand_nested: whether to list the layers of nested models too.
        show_trainable: whether to add a column saying if each layer is trainable.
        layer_range: two layer names (or regexes): print only the layers from
            the first match of the first to the last match of the second.

    Example:

    >>> model.summary(print_fn=lambda text: lines.append(text))
    """
    layers = model.layers
    default_line_length = 88
    positions = positions or [0.45, 0.80, 1.0]
    header = ["Layer (type)", "Output Shape", "Param #"]
    justify = ["left", "left", "right"]
    if show_trainable:
        default_line_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    line_length = line_length or min(default_line_length, shutil.get_terminal_size().columns - 4)
    column_widths = []
    current = 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError(
                f"Insufficient console width to print summary. Expected every column to be at least 4 characters "
                f"wide. Received: line_length={line_length}, positions={positions}. Pass a larger `line_length`."
            )
        column_widths.append(width)
        current += width

    rows = _layer_rows(model, expand_nested, show_trainable, bounds=_layer_range_bounds(layers, layer_range))

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    if getattr(model, "compiled", False) and optimizer is not None and getattr(optimizer, "built", False):
        optimizer_weights = list(optimizer.variables)
    else:
        optimizer_weights = None
    totals = [
        ("Trainable params", _count(trainable), _memory_size(trainable)),
        ("Non-trainable params", _count(non_trainable), _memory_size(non_trainable)),
    ]
    if optimizer_weights is not None:
        totals.append(("Optimizer params", _count(optimizer_weights), _memory_size(optimizer_weights)))
    totals.insert(0, ("Total params", sum(t[1] for t in totals), sum(t[2] for t in totals)))

    console_width = _console_width()
    lines = _wrap(f'Model: "{model.name}"', console_width, "fold", strip=False)
    lines += [line[:console_width] for line in _render_table(header, rows, column_widths, justify, line_length)]
    for label, count, size in totals:
        lines += _wrap(f" {label}: {count:,} ({_readable_size(size)})", console_width, "fold", strip=False)
    text = "\n".join(lines) + "\n"
    if print_fn is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        print_fn(text)
