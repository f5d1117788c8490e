package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// statusOf maps an error code to its HTTP status.
var statusOf = map[string]int{
	domain.EINVALID:      http.StatusBadRequest,
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.ENOTFOUND:     http.StatusNotFound,
	domain.ECONFLICT:     http.StatusConflict,
	domain.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	domain.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
	domain.ENOSPACE:      http.StatusInsufficientStorage,
	domain.EINTERNAL:     http.StatusInternalServerError,
}

// codeOf maps an HTTP status from Echo or a middleware to an error code.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return domain.EINVALID
	case http.StatusUnauthorized:
		return domain.EUNAUTHORIZED
	case http.StatusForbidden:
		return domain.EFORBIDDEN
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return domain.ENOTFOUND
	case http.StatusConflict:
		return domain.ECONFLICT
	case http.StatusRequestEntityTooLarge:
		return domain.ETOOLARGE
	case http.StatusUnsupportedMediaType:
		return domain.EUNSUPPORTED
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return domain.EUNAVAILABLE
	case http.StatusInsufficientStorage:
		return domain.ENOSPACE
	}
	return domain.EINTERNAL
}

// apiError is the JSON API's error body.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// handleError is the one place errors become responses: a JSON body for the API, a toast for
// htmx requests and an error page otherwise. Only internal errors are logged.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed || errors.Is(err, context.Canceled) {
		return
	}
	code, message, fields := domain.ErrorCode(err), domain.ErrorMessage(err), domain.ErrorFields(err)
	status := statusOf[code]
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status, code = he.Code, codeOf(he.Code)
		message = httpErrorMessage(he)
	}
	if code == domain.EINVALID && len(fields) > 0 {
		status = http.StatusUnprocessableEntity
	}
	if code == domain.ENOSPACE {
		s.logger.Error("out of disk space", slog.String("path", c.Request().URL.Path), slog.Any("err", err))
	}
	if code == domain.EUNAVAILABLE {
		s.logger.Warn("dependency unavailable", slog.String("path", c.Request().URL.Path), slog.Any("err", err))
	}
	if code == domain.EINTERNAL {
		s.logger.Error("internal error", slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path), slog.Any("err", err))
		message = "Internal error."
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}

	var rerr error
	switch {
	case isAPI(c) || c.Request().Header.Get(echo.HeaderAccept) == echo.MIMEApplicationJSON:
		rerr = c.JSON(status, apiError{apiErrorBody{Code: code, Message: message, Fields: fields}})
	case c.Request().Method == http.MethodHead:
		rerr = c.NoContent(status)
	case isHTMX(c):
		c.Response().Header().Set(hxRetarget, "#"+views.ToastsID)
		c.Response().Header().Set(hxReswap, "beforeend")
		rerr = render(c, status, views.Toast(message, true))
	default:
		if status == http.StatusUnauthorized {
			rerr = c.Redirect(http.StatusSeeOther, loginURL(c))
			break
		}
		rerr = render(c, status, views.Layout(s.pageProps(c, "Error", ""), views.ErrorPage(status, message)))
	}
	if rerr != nil {
		s.logger.Error("writing error response", slog.Any("err", rerr))
	}
}

// httpErrorMessage turns Echo's and the middlewares' errors into sentences for people.
func httpErrorMessage(he *echo.HTTPError) string {
	switch he.Code {
	case http.StatusNotFound:
		return "Not found."
	case http.StatusMethodNotAllowed:
		return "Not found."
	case http.StatusRequestEntityTooLarge:
		return "The request is too large."
	case http.StatusUnauthorized:
		return "Please sign in."
	case http.StatusForbidden:
		return "Forbidden."
	}
	if m, ok := he.Message.(string); ok && m != "" {
		return upperFirst(m) + "."
	}
	return http.StatusText(he.Code) + "."
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// handleAPINotFound answers unknown API routes in the API's error shape.
func (s *Server) handleAPINotFound(c echo.Context) error {
	return domain.Errorf(domain.ENOTFOUND, "No such API route.")
}
